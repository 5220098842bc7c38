// A deep Java call chain over an off-heap leak: the shim's stack walk must cross many
// JIT-compiled (and, early on, interpreted) frames through frame pointers, stop at its
// depth limit, and never fault.
import java.lang.reflect.Field;
import sun.misc.Unsafe;

public final class DeepStack {
  private static final Unsafe UNSAFE = unsafe();
  private static final long[] kept = new long[1 << 20];
  private static int count;

  private static Unsafe unsafe() {
    try {
      Field f = Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (Unsafe) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  static long leaf(int size) {
    long address = UNSAFE.allocateMemory(size);
    kept[count++ % kept.length] = address;
    return address;
  }

  // Two methods calling each other so that the JIT cannot fold the recursion away.
  static long descend(int depth, int size) {
    return depth == 0 ? leaf(size) : ascend(depth - 1, size) + 1;
  }

  static long ascend(int depth, int size) {
    return depth == 0 ? leaf(size) : descend(depth - 1, size) + 1;
  }

  public static void main(String[] args) throws InterruptedException {
    long seconds = Long.parseLong(args[0]);
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long sink = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 2; ++i) sink += descend(300, 2048);
      Thread.sleep(1);
    }
    System.err.println("DeepStack: " + count + " blocks kept (" + (sink & 1) + ")");
  }
}
