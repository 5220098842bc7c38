// Loaded by a class loader of its own in JitWorkload, made hot, then unloaded.
public class Unloadable1 implements Runnable {
  static long total;

  static long step1(long x) {
    return x * 6364136223846793005L + 1442695040888963407L;
  }

  public void run() {
    long t = total;
    for (int i = 0; i < 100; i++) t = step1(t);
    total = t;
  }
}
