package heapdrift.samples.inflater;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Decoy (churn): many Inflaters open at once, each used and then end()ed. */
final class ChunkDecoder {
  static final int INFLATERS_PER_BATCH = 320;  // ~39 KiB each: ~12 MiB at the peak

  private final byte[] compressedChunk;
  private final byte[] buffer = new byte[InflaterLeak.BLOCK_BYTES];
  private long ended;

  ChunkDecoder(byte[] compressedChunk) {
    this.compressedChunk = compressedChunk;
  }

  /** Inflates a block of each of a batch of chunks in parallel streams, then ends them all. */
  void decodeBatch() {
    Inflater[] inflaters = new Inflater[INFLATERS_PER_BATCH];
    try {
      for (int i = 0; i < inflaters.length; i++) {
        inflaters[i] = new Inflater(true);
        inflaters[i].setInput(compressedChunk);
        inflaters[i].inflate(buffer);
      }
    } catch (DataFormatException e) {
      throw new IllegalStateException("corrupt chunk", e);
    } finally {
      for (Inflater inflater : inflaters) {
        if (inflater != null) {
          inflater.end();
          ended++;
        }
      }
    }
  }

  long inflatersEnded() {
    return ended;
  }
}
