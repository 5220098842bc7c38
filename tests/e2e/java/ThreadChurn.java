// ThreadChurn SECONDS: starts short-lived threads, eight at a time, and waits for them,
// as a server that spawns a thread per request does: each ThreadStart and ThreadEnd of
// a JVMTI agent runs once per thread (tests/e2e/native/thread_map_agent.cpp).
public final class ThreadChurn {
  static volatile long sink;

  public static void main(String[] args) throws InterruptedException {
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    int started = 0;
    Thread[] batch = new Thread[8];
    while (System.nanoTime() < end) {
      for (int i = 0; i < batch.length; ++i) {
        final int n = started++;
        batch[i] = new Thread(() -> sink += Integer.toString(n).hashCode(), "request-handler-worker-" + n);
        batch[i].start();
      }
      for (Thread t : batch) t.join();
    }
    System.err.println("ThreadChurn: " + started + " threads started and ended");
  }
}
