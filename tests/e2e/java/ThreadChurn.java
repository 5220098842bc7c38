// ThreadChurn SECONDS [PER_SECOND]: starts short-lived threads and waits for them, as a
// server that spawns a thread per request does: each ThreadStart and ThreadEnd of a
// JVMTI agent runs once per thread (tests/e2e/native/thread_map_agent.cpp). Eight at a
// time, as fast as they go; or with PER_SECOND, one at a time at that steady rate (the
// soak run, scripts/soak, paces a leak to the rate its users saw).
public final class ThreadChurn {
  static volatile long sink;

  public static void main(String[] args) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + Long.parseLong(args[0]) * 1_000_000_000L;
    double perSecond = args.length > 1 ? Double.parseDouble(args[1]) : 0;
    int started = 0;
    Thread[] batch = new Thread[perSecond > 0 ? 1 : 8];
    while (System.nanoTime() < end) {
      for (int i = 0; i < batch.length; ++i) {
        final int n = started++;
        batch[i] = new Thread(() -> sink += Integer.toString(n).hashCode(), "request-handler-worker-" + n);
        batch[i].start();
      }
      for (Thread t : batch) t.join();
      if (perSecond > 0) {
        long due = start + (long) (started / perSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
    System.err.println("ThreadChurn: " + started + " threads started and ended");
  }
}
