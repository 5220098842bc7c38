package heapdrift.samples.jni;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The Java face of libjnileak.so, a frame codec written in C++ (jni/jnileak.cpp).
 * Each encoded frame is kept by the native side for retransmission until
 * {@link #acknowledge} is called with its sequence number; nothing calls it.
 */
public final class NativeCodec {
  /** System property naming the library's absolute path (optional). */
  public static final String LIBRARY_PROPERTY = "heapdrift.jnileak.library";
  public static final String LIBRARY_FILE = "libjnileak.so";

  static final int FRAME_BYTES = 4096;  // what the native side retains per frame
  static final int FRAME_HEADER_BYTES = 16;
  static final long DIGEST_SCRATCH_BYTES = 48L * 256 * 1024;

  private long sequence;

  /**
   * Loads the library from -Dheapdrift.jnileak.library, else from beside the jar (or
   * class directory) this class came from. Throws UnsatisfiedLinkError, naming the
   * path, if it cannot.
   */
  public static String loadLibrary() {
    String path = System.getProperty(LIBRARY_PROPERTY);
    if (path == null || path.isEmpty()) path = besideCodeSource().toString();
    if (!new File(path).isAbsolute()) path = new File(path).getAbsolutePath();
    if (!Files.isRegularFile(Path.of(path))) {
      throw new UnsatisfiedLinkError("no JNI library at " + path + " (build the jnileak target, "
          + "or pass -D" + LIBRARY_PROPERTY + "=/absolute/path/" + LIBRARY_FILE + ")");
    }
    System.load(path);
    return path;
  }

  private static Path besideCodeSource() {
    CodeSource source = NativeCodec.class.getProtectionDomain().getCodeSource();
    if (source == null) return Path.of(LIBRARY_FILE);
    try {
      Path location = Path.of(source.getLocation().toURI());
      Path dir = Files.isDirectory(location) ? location : location.getParent();
      return dir == null ? Path.of(LIBRARY_FILE) : dir.resolve(LIBRARY_FILE);
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Path.of(LIBRARY_FILE);
    }
  }

  /** Encodes a frame for sending; the native codec retains a copy (the leak). */
  public int encode(byte[] frame, int length) {
    return encode0(frame, length, ++sequence);
  }

  /** Releases the retained frames up to SEQUENCE. Never called: that is the bug. */
  public void acknowledge(long sequence) {
    acknowledge0(sequence);
  }

  /** A checksum of a block, computed natively with a large scratch area (churn). */
  public long checksum(byte[] block, int length) {
    return checksum0(block, length);
  }

  public long framesEncoded() {
    return sequence;
  }

  /** Loads the codec's preset dictionary: one large native buffer, held. */
  public static void loadDictionary(int bytes) {
    if (!loadDictionary0(bytes)) throw new OutOfMemoryError("native dictionary of " + bytes + " bytes");
  }

  public static void releaseDictionary() {
    releaseDictionary0();
  }

  public static long retainedFrames() {
    return retainedFrames0();
  }

  public static long retainedBytes() {
    return retainedBytes0();
  }

  private static native int encode0(byte[] frame, int length, long sequence);

  private static native void acknowledge0(long sequence);

  private static native long checksum0(byte[] block, int length);

  private static native boolean loadDictionary0(int bytes);

  private static native void releaseDictionary0();

  private static native long retainedFrames0();

  private static native long retainedBytes0();
}
