package heapdrift.samples.unsafe;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

/** Decoy (churn): sorts in off-heap run buffers that it frees before returning. */
final class ExternalSorter {
  static final int RUN_BUFFERS = 48;
  static final long RUN_BUFFER_BYTES = 256 * 1024;  // 12 MiB per sort run

  private long churned;
  private long checksum;

  /** Allocates 12 MiB of run buffers, fills them, merges, frees them all. */
  void sortRun() {
    long[] runs = new long[RUN_BUFFERS];
    try {
      for (int i = 0; i < RUN_BUFFERS; i++) {
        runs[i] = UNSAFE.allocateMemory(RUN_BUFFER_BYTES);
        UNSAFE.setMemory(runs[i], RUN_BUFFER_BYTES, (byte) i);  // touch every page
        churned += RUN_BUFFER_BYTES;
      }
      for (long run : runs) checksum += UNSAFE.getLong(run + RUN_BUFFER_BYTES / 2);
    } finally {
      for (long run : runs) {
        if (run != 0) UNSAFE.freeMemory(run);
      }
    }
  }

  long bytesChurned() {
    return churned;
  }
}
