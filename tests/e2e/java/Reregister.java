// Reregister LIBRARY SECONDS: calls a native method in a hot loop while another thread
// registers its implementation again every 5 ms (RegisterNatives, as a profiler's lock
// tracing does with Unsafe.park each time it starts and stops). Each registration makes
// HotSpot compile the method's native wrapper anew; JDK 17 keeps the old ones: the code
// cache leak of a profiler run in a loop.
public final class Reregister {
  static native long work(long x);
  static native void register(int which);
  static volatile long sink;

  public static void main(String[] args) throws InterruptedException {
    System.load(args[0]);
    long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
    Thread registrar = new Thread(() -> {
      for (int i = 0; System.nanoTime() < end; ++i) {
        register(i & 1);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    registrar.start();
    long s = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 10_000; ++i) s += work(i);
    }
    sink = s;
    registrar.join();
  }
}
