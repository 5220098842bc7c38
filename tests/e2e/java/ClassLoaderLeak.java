// ClassLoaderLeak SECONDS [hot]: defines a plugin class again and again, each time in a
// new class loader that it keeps, as a server that loads a plugin per deployment and
// never lets the old ones go does: Metaspace grows (the classes' metadata, mapped
// outside malloc) while the malloc heap stays flat. With "hot", each plugin also runs
// until the JIT compiles it: the code cache grows too, with each class's code.
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

public final class ClassLoaderLeak {
  static final List<ClassLoader> kept = new ArrayList<>();

  static final class Loader extends ClassLoader {
    Loader() { super(null); }
    Class<?> define(byte[] bytes) { return defineClass("ClassLoaderLeak$Plugin", bytes, 0, bytes.length); }
  }

  // Many methods: its metadata (Metaspace) is large beside what the JVM mallocs for each
  // class loader.
  public static final class Plugin implements LongUnaryOperator {
    public long m0(long x, String s) { return s.length() * 3L + (x ^ 0L); }
    public long m1(long x, String s) { return s.length() * 4L + (x ^ 7919L); }
    public long m2(long x, String s) { return s.length() * 5L + (x ^ 15838L); }
    public long m3(long x, String s) { return s.length() * 6L + (x ^ 23757L); }
    public long m4(long x, String s) { return s.length() * 7L + (x ^ 31676L); }
    public long m5(long x, String s) { return s.length() * 8L + (x ^ 39595L); }
    public long m6(long x, String s) { return s.length() * 9L + (x ^ 47514L); }
    public long m7(long x, String s) { return s.length() * 10L + (x ^ 55433L); }
    public long m8(long x, String s) { return s.length() * 11L + (x ^ 63352L); }
    public long m9(long x, String s) { return s.length() * 12L + (x ^ 71271L); }
    public long m10(long x, String s) { return s.length() * 13L + (x ^ 79190L); }
    public long m11(long x, String s) { return s.length() * 14L + (x ^ 87109L); }
    public long m12(long x, String s) { return s.length() * 15L + (x ^ 95028L); }
    public long m13(long x, String s) { return s.length() * 16L + (x ^ 102947L); }
    public long m14(long x, String s) { return s.length() * 17L + (x ^ 110866L); }
    public long m15(long x, String s) { return s.length() * 18L + (x ^ 118785L); }
    public long m16(long x, String s) { return s.length() * 19L + (x ^ 126704L); }
    public long m17(long x, String s) { return s.length() * 20L + (x ^ 134623L); }
    public long m18(long x, String s) { return s.length() * 21L + (x ^ 142542L); }
    public long m19(long x, String s) { return s.length() * 22L + (x ^ 150461L); }
    public long m20(long x, String s) { return s.length() * 23L + (x ^ 158380L); }
    public long m21(long x, String s) { return s.length() * 24L + (x ^ 166299L); }
    public long m22(long x, String s) { return s.length() * 25L + (x ^ 174218L); }
    public long m23(long x, String s) { return s.length() * 26L + (x ^ 182137L); }
    // All its methods, inlined into this one's compiled code.
    @Override public long applyAsLong(long x) {
      String s = "plugin";
      x = m0(x, s) ^ m1(x, s) + m2(x, s) * m3(x, s) - m4(x, s) ^ m5(x, s) + m6(x, s) * m7(x, s);
      x = m8(x, s) ^ m9(x, s) + m10(x, s) * m11(x, s) - m12(x, s) ^ m13(x, s) + m14(x, s) * m15(x, s);
      return m16(x, s) ^ m17(x, s) + m18(x, s) * m19(x, s) - m20(x, s) ^ m21(x, s) + m22(x, s) * m23(x, s);
    }
  }

  public static void main(String[] args) throws Exception {
    byte[] bytes;
    try (InputStream in = ClassLoaderLeak.class.getResourceAsStream("ClassLoaderLeak$Plugin.class")) {
      bytes = in.readAllBytes();
    }
    final boolean hot = args.length > 1 && args[1].equals("hot");
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    long sum = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < (hot ? 10 : 100); ++i) {
        Loader loader = new Loader();
        Class<?> plugin = loader.define(bytes);
        plugin.getMethods();  // resolves the methods, as a plugin's first use would
        if (hot) {
          LongUnaryOperator p = (LongUnaryOperator) plugin.getDeclaredConstructor().newInstance();
          for (int k = 0; k < 20_000; ++k) sum += p.applyAsLong(k);
        }
        kept.add(loader);
      }
      Thread.sleep(10);
    }
    System.err.println("ClassLoaderLeak: " + kept.size() + " class loaders kept (" + sum + ")");
  }
}
