package heapdrift.samples.inflater;

import java.util.zip.Deflater;

/** Decoy (churn): many Deflaters open at once, each used and then end()ed. */
final class ChunkEncoder {
  static final int CHUNK_BYTES = 16 * 1024;
  static final int DEFLATERS_PER_BATCH = 48;  // ~260 KiB of zlib state each: ~12 MiB

  private final byte[] chunk;
  private final byte[] buffer = new byte[CHUNK_BYTES + 1024];
  private long ended;
  private long compressed;

  ChunkEncoder(byte[] chunk) {
    this.chunk = chunk;
  }

  /** Compresses a batch of chunks in parallel streams, then ends them all. */
  void encodeBatch() {
    Deflater[] deflaters = new Deflater[DEFLATERS_PER_BATCH];
    try {
      for (int i = 0; i < deflaters.length; i++) {
        deflaters[i] = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflaters[i].setInput(chunk);
        deflaters[i].finish();
        compressed += deflaters[i].deflate(buffer);
      }
    } finally {
      for (Deflater deflater : deflaters) {
        if (deflater != null) {
          deflater.end();
          ended++;
        }
      }
    }
  }

  long deflatersEnded() {
    return ended;
  }
}
