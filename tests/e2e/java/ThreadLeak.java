// ThreadLeak SECONDS: starts a thread every 10 ms (on average) from startWorker, each parked for
// ever (a daemon, so that the JVM still exits): threads started and never ended. The
// JVM's blocks for each thread are the leak; they come from several sites.
import java.util.concurrent.locks.LockSupport;

public final class ThreadLeak {
  static void startWorker(int i) {
    Thread worker = new Thread(LockSupport::park, "worker-" + i);
    worker.setDaemon(true);
    worker.start();
  }

  public static void main(String[] args) throws InterruptedException {
    long start = System.nanoTime(), end = start + Long.parseLong(args[0]) * 1_000_000_000L;
    int started = 0;
    // By the clock, not by sleeps between starts: on a loaded machine, starts that fell
    // behind are made up, so that the run leaks as many threads.
    for (long now = start; now < end; now = System.nanoTime()) {
      while (started < (now - start) / 10_000_000L) startWorker(started++);
      Thread.sleep(2);
    }
    System.err.println("ThreadLeak: " + started + " threads started");
  }
}
