// SessionLeak SECONDS: each session opened keeps four blocks that four functions of
// libsessionleak.so (its path in the property sessionleak.lib) allocate for it and
// nothing frees: one leak spread over four allocation sites, each too slow to be found
// on its own in a short run, all called from SessionLeak.open.
public final class SessionLeak {
  static native void open(int id);

  public static void main(String[] args) throws InterruptedException {
    System.load(System.getProperty("sessionleak.lib"));
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    int sessions = 0;
    while (System.nanoTime() < end) {
      open(sessions++);
      Thread.sleep(5);
    }
    System.err.println("SessionLeak: " + sessions + " sessions opened");
  }
}
