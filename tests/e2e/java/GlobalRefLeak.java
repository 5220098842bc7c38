// GlobalRefLeak SECONDS: native code (libglobalrefleak.so, its path in the property
// globalrefleak.lib) keeps a JNI global reference to each listener registered and never
// deletes it: the leak. Each event dispatched takes a reference and deletes it: no
// leak, but it asks for references as often, so HotSpot's blocks of references are as
// likely charged to it, whichever call finds them full.
public final class GlobalRefLeak {
  static native void register(Object listener);

  static native void dispatch(Object event);

  public static void main(String[] args) throws InterruptedException {
    System.load(System.getProperty("globalrefleak.lib"));
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    long listeners = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1000; i++, listeners++) {
        register(new Object());
        dispatch(new Object());
      }
      Thread.sleep(2);
    }
    System.err.println("GlobalRefLeak: " + listeners + " listeners registered");
  }
}
