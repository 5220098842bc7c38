package heapdrift.samples.common;

import java.util.concurrent.TimeUnit;

/**
 * What the Java samples share: the command line (one argument, the run time in whole
 * seconds), the run's deadline, and a pacer that spreads work evenly over the run.
 */
public final class SampleMain {
  private SampleMain() {}

  /**
   * Returns the run time given as the only argument, a positive whole number of
   * seconds; on a missing or bad argument prints a usage line on stderr and exits 2.
   */
  public static int parseSeconds(String[] args, String mainClass) {
    if (args.length == 1 && args[0].matches("[0-9]{1,9}")) {
      int seconds = Integer.parseInt(args[0]);
      if (seconds > 0) return seconds;
    }
    System.err.println("usage: java -cp heapdrift-samples.jar " + mainClass
        + " SECONDS  (a positive whole number of seconds to run)");
    System.exit(2);
    throw new AssertionError("unreachable");
  }

  /** The monotonic-clock deadline SECONDS from now. */
  public static long deadlineAfter(int seconds) {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  public static boolean before(long deadlineNanos) {
    return System.nanoTime() - deadlineNanos < 0;
  }

  /** Sleeps, ignoring interrupts (nothing in the samples interrupts). */
  public static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Joins every thread, ignoring interrupts. */
  public static void joinAll(Thread... threads) {
    for (Thread thread : threads) {
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * Spreads a number of work items per second evenly over time: each call to
   * {@link #due()} returns how many items fell due since the last call. A caller that
   * falls far behind (a slow or loaded machine) does not catch up in a burst.
   */
  public static final class Pacer {
    private final double perNano;
    private final long maxBacklog;
    private final long start = System.nanoTime();
    private long done;

    public Pacer(double perSecond) {
      this.perNano = perSecond / 1e9;
      this.maxBacklog = Math.max(1, (long) (perSecond / 10));  // 100 ms worth
    }

    public int due() {
      long target = (long) ((System.nanoTime() - start) * perNano);
      if (target - done > maxBacklog) done = target - maxBacklog;
      int n = (int) (target - done);
      done = target;
      return n;
    }
  }
}
