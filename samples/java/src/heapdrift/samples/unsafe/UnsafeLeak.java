// UnsafeLeak: off-heap memory from sun.misc.Unsafe.allocateMemory that a hot,
// JIT-compiled method keeps and never frees, beside off-heap memory that is freed.
//
// The leak: an off-heap index appends one 1 KiB entry per update (key, version,
// value) and keeps the address in a list; the compaction that was to free superseded
// versions was never wired up, so every entry stays: ~3000 entries/s, ~3 MiB/s, for
// the whole run. The Java heap holds only a long[] of addresses (~24 KB/s), so a heap
// dump shows nothing; RSS grows.
//   leaking allocation site: heapdrift.samples.unsafe.OffHeapIndex.addEntry
//   (called ~3000 times a second from UnsafeLeak.ingest: C2 compiles it on its own
//   at ~2 s, then compiles ingest with addEntry inlined, at ~5 s on a 2-core machine.)
//
// Decoys, which a leak detector must NOT report (all allocate through the same
// Unsafe_AllocateMemory0 -> os::malloc -> malloc path as the leak; only the Java
// frames tell them apart):
//   1. ExternalSorter.sortRun   - 48 run buffers of 256 KiB (12 MiB) from
//                                 Unsafe.allocateMemory, filled, then freeMemory'd,
//                                 10 times a second (~120 MB/s): churn.
//   2. FrameTransport.sendFrame - a 256 KiB ByteBuffer.allocateDirect per frame,
//                                 64 frames/s, dropped at once; FrameTransport.reclaim
//                                 runs System.gc() after every 64 dropped buffers
//                                 (as the JDK does itself when direct memory reaches
//                                 -XX:MaxDirectMemorySize), so their Cleaners free
//                                 them: a sawtooth between 0 and ~16 MiB.
//
// Usage: java -cp heapdrift-samples.jar heapdrift.samples.unsafe.UnsafeLeak SECONDS
// No JVM flags needed (it relies on System.gc(), so not -XX:+DisableExplicitGC).
// The index is never freed (it lives as long as the process), so its entries are
// still live at exit; everything else is freed before main returns.

package heapdrift.samples.unsafe;

import heapdrift.samples.common.SampleMain;
import heapdrift.samples.common.SampleMain.Pacer;

public final class UnsafeLeak {
  static final double ENTRIES_PER_SECOND = 3072;  // x 1 KiB = 3 MiB/s
  static final int SORT_RUNS_PER_SECOND = 10;
  static final int FRAMES_PER_SECOND = 64;

  private UnsafeLeak() {}

  public static void main(String[] args) {
    int seconds = SampleMain.parseSeconds(args, UnsafeLeak.class.getName());
    long deadline = SampleMain.deadlineAfter(seconds);

    // Lives as long as the process, like a service's index: never closed.
    OffHeapIndex index = new OffHeapIndex();
    ExternalSorter sorter = new ExternalSorter();
    FrameTransport transport = new FrameTransport();

    Thread writer = new Thread(() -> runIndexWriter(index, deadline), "index-writer");
    Thread sorting = new Thread(() -> runSorter(sorter, deadline), "sorter");
    Thread sending = new Thread(() -> runTransport(transport, deadline), "transport");
    writer.start();
    sorting.start();
    sending.start();
    SampleMain.joinAll(writer, sorting, sending);
    transport.close();

    System.err.printf("UnsafeLeak: %d s, %d index entries never freed (%.1f MiB), "
            + "%.0f MiB of sort runs churned, %d direct buffers dropped%n",
        seconds, index.size(), index.bytes() / 1048576.0,
        sorter.bytesChurned() / 1048576.0, transport.framesSent());
  }

  private static void runIndexWriter(OffHeapIndex index, long deadline) {
    Pacer pacer = new Pacer(ENTRIES_PER_SECOND);
    long sequence = 0;
    while (SampleMain.before(deadline)) {
      // Small batches, often: ingest itself gets hot enough for C2 within seconds.
      sequence = ingest(index, pacer.due(), sequence);
      SampleMain.sleepMillis(1);
    }
  }

  /** Applies N updates to the index: each appends a new entry (the leak). */
  static long ingest(OffHeapIndex index, int n, long sequence) {
    for (int i = 0; i < n; i++) {
      long key = (sequence * 0x9E3779B97F4A7C15L) >>> 44;  // ~1M distinct keys
      index.addEntry(key, sequence, sequence ^ key);
      sequence++;
    }
    return sequence;
  }

  private static void runSorter(ExternalSorter sorter, long deadline) {
    Pacer pacer = new Pacer(SORT_RUNS_PER_SECOND);
    while (SampleMain.before(deadline)) {
      for (int n = pacer.due(); n > 0; n--) sorter.sortRun();
      SampleMain.sleepMillis(20);
    }
  }

  private static void runTransport(FrameTransport transport, long deadline) {
    Pacer pacer = new Pacer(FRAMES_PER_SECOND);
    while (SampleMain.before(deadline)) {
      for (int n = pacer.due(); n > 0; n--) transport.sendFrame();
      SampleMain.sleepMillis(10);
    }
  }
}
