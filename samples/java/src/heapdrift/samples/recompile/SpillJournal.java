package heapdrift.samples.recompile;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

/** Decoy (churn): every 256th order spills through 12 MiB of buffers, freed at once. */
final class SpillJournal extends Journal {
  static final int ORDERS_PER_SPILL = 256;
  static final int SPILL_BUFFERS = 48;
  static final long SPILL_BUFFER_BYTES = 256 * 1024;

  private long pending;
  private long spilled;
  private long checksum;

  @Override
  void append(Order order) {
    checksum += order.price * order.quantity;
    if (++pending == ORDERS_PER_SPILL) {
      spill();
      pending = 0;
    }
  }

  /** Allocates, fills and frees 12 MiB of spill buffers. */
  void spill() {
    long[] buffers = new long[SPILL_BUFFERS];
    try {
      for (int i = 0; i < SPILL_BUFFERS; i++) {
        buffers[i] = UNSAFE.allocateMemory(SPILL_BUFFER_BYTES);
        UNSAFE.setMemory(buffers[i], SPILL_BUFFER_BYTES, (byte) (checksum + i));  // resident
        spilled += SPILL_BUFFER_BYTES;
      }
    } finally {
      for (long buffer : buffers) {
        if (buffer != 0) UNSAFE.freeMemory(buffer);
      }
    }
  }

  long bytesSpilled() {
    return spilled;
  }
}
