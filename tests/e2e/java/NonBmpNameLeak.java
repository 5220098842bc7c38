// A leak from a Java method whose name has a character beyond U+FFFF: leak𝑥, with
// U+1D465 (mathematical italic small x), a letter Java takes in identifiers, written
// here as its UTF-16 escapes so that the source stays ASCII. The JVM gives such a name
// in its modified UTF-8; Kotlin's backquoted names (a test named with an emoji) are
// spelled the same way. The leak is direct buffers kept for ever (their memory is
// malloc'ed).
//
// Argument: seconds to run.
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

public final class NonBmpNameLeak {
  private static final List<ByteBuffer> kept = new ArrayList<>();

  static void leak\uD835\uDC65(int size) {
    kept.add(ByteBuffer.allocateDirect(size));
  }

  public static void main(String[] args) throws InterruptedException {
    long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 16; ++i) leak\uD835\uDC65(4096);
      Thread.sleep(10);
    }
  }
}
