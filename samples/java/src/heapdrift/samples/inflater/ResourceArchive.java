package heapdrift.samples.inflater;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * An archive of deflated resources. Each read opens an Inflater and registers it so
 * that {@link #close} can end it; but the archive is never closed and
 * {@link #readEntry} does not end the Inflater when it is done, so every read leaks
 * zlib's native inflate state and window. (The fix: end the Inflater in a finally
 * block in readEntry.)
 */
final class ResourceArchive implements AutoCloseable {
  private final byte[] compressedEntry;  // every entry holds the same data here
  private final List<Inflater> open = new ArrayList<>();
  private long inflated;

  ResourceArchive(byte[] compressedEntry) {
    this.compressedEntry = compressedEntry;
  }

  /** The leak: reads the first block of entry INDEX into BUFFER; the Inflater stays open. */
  int readEntry(int index, byte[] buffer) {
    Inflater inflater = new Inflater(true);  // zlib inflateInit2_: ~7 KiB native state
    open.add(inflater);
    inflater.setInput(compressedEntry);
    try {
      int n = inflater.inflate(buffer);  // zlib allocates its 32 KiB window here
      inflated += n;
      return n;
    } catch (DataFormatException e) {
      throw new IllegalStateException("corrupt entry " + index, e);
    }
  }

  int openInflaters() {
    return open.size();
  }

  long bytesInflated() {
    return inflated;
  }

  @Override
  public void close() {
    for (Inflater inflater : open) inflater.end();
    open.clear();
  }
}
