// An off-heap leak through the foreign memory API (final in JDK 22): openSession keeps
// a segment of the global arena (never freed) for each session; scratch allocates as
// much in a confined arena and closes it (a decoy). Compiled and run by
// tests/e2e/java_e2e_test.cpp on the JDKs it finds; JDK 17's incubator form is
// ../foreign_incubator/ForeignLeak.java.
//
// Argument: seconds to run.
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

public final class ForeignLeak {
  private static final List<MemorySegment> sessions = new ArrayList<>();

  static void openSession() {
    sessions.add(Arena.global().allocate(4096));
  }

  static long scratch() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment segment = arena.allocate(4096);
      segment.set(ValueLayout.JAVA_LONG, 0, sessions.size());
      return segment.get(ValueLayout.JAVA_LONG, 0);
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
