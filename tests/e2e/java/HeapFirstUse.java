// HeapFirstUse SECONDS MIB: keeps MIB mebibytes of Java arrays, taken evenly over
// SECONDS, then holds them 2 s more (so that the last snapshots see them all), in a heap
// committed whole from the start (the test runs it with -Xms equal to
// -Xmx): the heap's committed bytes stay flat while the pages it uses for them become
// resident, and RSS grows with no allocation site of malloc's to blame. The arrays are of
// 64 KiB, below G1's threshold for humongous objects, and are written, so that their
// pages are touched.
import java.util.ArrayList;
import java.util.List;

public final class HeapFirstUse {
  static void keep(List<byte[]> kept) {
    byte[] a = new byte[64 * 1024];
    for (int i = 0; i < a.length; i += 4096) a[i] = 1;
    kept.add(a);
  }

  public static void main(String[] args) throws InterruptedException {
    final long seconds = Long.parseLong(args[0]);
    final int arrays = Integer.parseInt(args[1]) * 16;
    final List<byte[]> kept = new ArrayList<>();
    long start = System.nanoTime(), end = start + seconds * 1_000_000_000L;
    // By the clock: on a loaded machine, arrays that fell behind are made up.
    for (long now = start; now < end; now = System.nanoTime()) {
      while (kept.size() < Math.min(arrays, (now - start) * arrays / (end - start))) keep(kept);
      Thread.sleep(5);
    }
    while (kept.size() < arrays) keep(kept);
    Thread.sleep(2000);
    System.err.println("HeapFirstUse: " + kept.size() * 64 / 1024 + " MiB kept");
  }
}
