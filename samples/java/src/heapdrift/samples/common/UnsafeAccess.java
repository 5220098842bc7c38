package heapdrift.samples.common;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/** sun.misc.Unsafe, taken from its {@code theUnsafe} field as libraries do (module jdk.unsupported). */
public final class UnsafeAccess {
  public static final Unsafe UNSAFE = load();

  private UnsafeAccess() {}

  private static Unsafe load() {
    try {
      Field field = Unsafe.class.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      return (Unsafe) field.get(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
