// An off-heap leak through JDK 17's incubating foreign memory API: openSession keeps a
// segment of the global scope (never freed) for each session; scratch allocates as
// much in a confined scope and closes it (a decoy). Compiled and run by
// tests/e2e/java_e2e_test.cpp with --add-modules jdk.incubator.foreign; the same
// program for JDK 22 and later (the API's final form) is ../foreign/ForeignLeak.java.
//
// Argument: seconds to run.
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.foreign.MemoryAccess;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.ResourceScope;

public final class ForeignLeak {
  private static final List<MemorySegment> sessions = new ArrayList<>();

  static void openSession() {
    sessions.add(MemorySegment.allocateNative(4096, ResourceScope.globalScope()));
  }

  static long scratch() {
    try (ResourceScope scope = ResourceScope.newConfinedScope()) {
      MemorySegment segment = MemorySegment.allocateNative(4096, scope);
      MemoryAccess.setLong(segment, sessions.size());
      return MemoryAccess.getLong(segment);
    }
  }

  public static void main(String[] args) throws InterruptedException {
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    long sum = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 20; i++) {
        openSession();
        sum += scratch();
      }
      Thread.sleep(5);
    }
    System.err.println("ForeignLeak: " + sessions.size() + " segments kept (" + (sum & 1) + ")");
  }
}
