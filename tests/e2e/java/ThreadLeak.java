// ThreadLeak SECONDS: starts a thread every 10 ms from startWorker, each parked for
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
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    int started = 0;
    while (System.nanoTime() < end) {
      startWorker(started++);
      Thread.sleep(10);
    }
    System.err.println("ThreadLeak: " + started + " threads started");
  }
}
