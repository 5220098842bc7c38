import java.lang.reflect.Field;
import sun.misc.Unsafe;

// Native memory allocated from Java code that the JIT compiles (shim_jit_test.cpp):
// churn() allocates blocks of a distinctive size and keeps every 500th, so the live
// heap holds samples taken while the code was interpreted, then C1- and C2-compiled.
// The blocks are large (64 KiB) so that a sampling rate of 1 MiB keeps a few dozen.
// Lines marked "@line NAME" are found by the test in this file.
public class NativeLeak {
  static final Unsafe UNSAFE = unsafe();
  static final int SIZE = 65544;
  static final long[] KEPT = new long[1000];
  static int kept;

  static long allocate(long size) {
    return UNSAFE.allocateMemory(size);  // @line allocate
  }

  static void churn(int i) {
    long p = allocate(SIZE);  // @line churn-call
    if (i % 500 == 0) {
      KEPT[kept++] = p;
    } else {
      UNSAFE.freeMemory(p);
    }
  }

  public static void main(String[] args) {
    for (int i = 0; i < 300_000; i++) churn(i);  // @line main-call
    System.out.println("kept " + kept);
  }

  static Unsafe unsafe() {
    try {
      Field f = Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (Unsafe) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
