// An off-heap leak made from Java methods that stay interpreted (run with -Xint, or
// with the leaking method excluded from compilation): the shim keeps each interpreted
// frame's Method*, and the analyzer must name the frames `java-interpreted` by their
// methods, the leaking one and its callers. A decoy allocates and frees at the same
// pace from another interpreted method.
//
// Arguments: seconds to run, then (optionally) seconds of warm-up first, during which
// the same calls allocate nothing (allocateMemory(0) does not call malloc): in mixed
// mode the callers are JIT-compiled before the first block leaks.
import java.lang.reflect.Field;
import sun.misc.Unsafe;

public final class InterpretedLeak {
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

  // The leak: its blocks are kept for ever.
  static long retain(int size) {
    long address = UNSAFE.allocateMemory(size);
    kept[count++ % kept.length] = address;
    return address;
  }

  // The leak's caller, so that callers are checked too.
  static long register(int size) {
    return retain(size) & 1;
  }

  // The decoy: as many bytes, all freed.
  static long scratch(int size) {
    long address = UNSAFE.allocateMemory(size);
    if (address == 0) return 0;  // size 0, during the warm-up
    UNSAFE.putLong(address, size);
    long v = UNSAFE.getLong(address);
    UNSAFE.freeMemory(address);
    return v;
  }

  public static void main(String[] args) throws InterruptedException {
    long seconds = Long.parseLong(args[0]);
    long warmUp = args.length > 1 ? Long.parseLong(args[1]) : 0;
    long start = System.nanoTime();
    long leakFrom = start + warmUp * 1_000_000_000L;
    long end = leakFrom + seconds * 1_000_000_000L;
    long sink = 0;
    for (long now = start; now < end; now = System.nanoTime()) {
      int size = now < leakFrom ? 0 : 4096;
      for (int i = 0; i < 16; ++i) {
        sink += register(size);
        sink += scratch(size);
      }
      if (size != 0) Thread.sleep(2);
    }
    System.err.println("InterpretedLeak: " + count + " blocks kept (" + (sink & 1) + ")");
  }
}
