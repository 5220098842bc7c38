// CodeChurn SECONDS: defines the same plugin class again and again, each time in a new
// class loader that it drops, and runs it until the JIT compiles it. Each call of the
// plugin allocates native memory (zlib's state for a Deflater, a direct buffer), so the
// sampled stacks pass through compiled code that lives for one round: a round whose code
// lands where no code was before brings stacks never seen before, as a JVM that keeps
// generating code does (scripts, rules, proxies), until the code cache hands out space
// it used before. Nothing leaks; the classes and their code are unloaded as they go.
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;
import java.util.zip.Deflater;

public final class CodeChurn {
  static final class Loader extends ClassLoader {
    Loader() { super(CodeChurn.class.getClassLoader()); }
    Class<?> define(byte[] bytes) { return defineClass("CodeChurn$Plugin", bytes, 0, bytes.length); }
  }

  public static final class Plugin implements LongUnaryOperator {
    @Override public long applyAsLong(long x) {
      Deflater deflater = new Deflater();
      deflater.end();
      return x + ByteBuffer.allocateDirect(64 + (int) (x & 1023)).capacity();
    }
  }

  public static void main(String[] args) throws Exception {
    byte[] bytes;
    try (InputStream in = CodeChurn.class.getResourceAsStream("CodeChurn$Plugin.class")) {
      bytes = in.readAllBytes();
    }
    final long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    long rounds = 0, sum = 0;
    while (System.nanoTime() < end) {
      LongUnaryOperator plugin =
          (LongUnaryOperator) new Loader().define(bytes).getDeclaredConstructor().newInstance();
      for (int k = 0; k < 20_000; ++k) sum += plugin.applyAsLong(k);
      if (++rounds % 50 == 0) System.gc();  // lets the dropped loaders' classes and code go
    }
    System.err.println("CodeChurn: " + rounds + " rounds (" + sum + ")");
  }
}
