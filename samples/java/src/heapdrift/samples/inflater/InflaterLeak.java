// InflaterLeak: java.util.zip.Inflater objects that are never end()ed, so zlib's
// native inflate state stays allocated, beside Inflaters and Deflaters that are.
//
// The leak: ResourceArchive.readEntry opens an Inflater per entry read and registers
// it with the archive, whose close() would end them all; the archive is a
// process-wide singleton that is never closed, and readEntry does not end the
// Inflater itself, so each read keeps zlib's inflate state (~7 KiB, from
// inflateInit2_) and its 32 KiB window (from inflate, as soon as the entry's first
// block is inflated): ~39 KiB a read, 80 reads/s, ~3 MiB/s for the whole run. The
// Java heap holds only the small Inflater objects; Native Memory Tracking does not
// see zlib's malloc.
//   leaking allocation sites (both in libz.so.1, via libzip.so):
//     inflateInit2_ <- Java_java_util_zip_Inflater_init <- java.util.zip.Inflater.<init>
//       <- heapdrift.samples.inflater.ResourceArchive.readEntry       (~7 KiB a read)
//     inflate <- Java_java_util_zip_Inflater_inflateBytesBytes <- java.util.zip.Inflater.inflate
//       <- heapdrift.samples.inflater.ResourceArchive.readEntry       (32 KiB a read)
//
// Decoys, which a leak detector must NOT report (the same native stacks as the leak;
// only the Java frames tell them apart):
//   1. ChunkDecoder.decodeBatch - 320 Inflaters open at once, each inflating a block
//                                 (~12 MiB of zlib state and windows), then all
//                                 end()ed; 2 batches/s: churn.
//   2. ChunkEncoder.encodeBatch - 48 Deflaters open at once, each compressing a
//                                 16 KiB block (~12 MiB of zlib deflate state), then
//                                 all end()ed; 2 batches/s: churn.
//
// Usage: java -cp heapdrift-samples.jar heapdrift.samples.inflater.InflaterLeak SECONDS
// No JVM flags needed. The archive is never closed, so its Inflaters are still live
// at exit; everything else is freed before main returns.

package heapdrift.samples.inflater;

import heapdrift.samples.common.SampleMain;
import heapdrift.samples.common.SampleMain.Pacer;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

public final class InflaterLeak {
  static final double READS_PER_SECOND = 80;  // x ~39 KiB = ~3 MiB/s
  static final int BATCHES_PER_SECOND = 2;
  static final int ENTRY_BYTES = 64 * 1024;  // uncompressed size of an entry
  static final int BLOCK_BYTES = 32 * 1024;  // what a read inflates: fills zlib's window

  private InflaterLeak() {}

  public static void main(String[] args) {
    int seconds = SampleMain.parseSeconds(args, InflaterLeak.class.getName());
    long deadline = SampleMain.deadlineAfter(seconds);

    byte[] entry = compress(sampleText(ENTRY_BYTES));
    // Lives as long as the process, like a class loader's archive: never closed.
    ResourceArchive archive = new ResourceArchive(entry);
    ChunkDecoder decoder = new ChunkDecoder(entry);
    ChunkEncoder encoder = new ChunkEncoder(sampleText(ChunkEncoder.CHUNK_BYTES));

    Thread reader = new Thread(() -> runReader(archive, deadline), "resource-reader");
    Thread decoding = new Thread(() -> runBatches(decoder::decodeBatch, deadline), "chunk-decoder");
    Thread encoding = new Thread(() -> runBatches(encoder::encodeBatch, deadline), "chunk-encoder");
    reader.start();
    decoding.start();
    encoding.start();
    SampleMain.joinAll(reader, decoding, encoding);

    System.err.printf("InflaterLeak: %d s, %d Inflaters never ended (%.1f MiB inflated), "
            + "%d Inflaters and %d Deflaters ended%n",
        seconds, archive.openInflaters(), archive.bytesInflated() / 1048576.0,
        decoder.inflatersEnded(), encoder.deflatersEnded());
  }

  private static void runReader(ResourceArchive archive, long deadline) {
    Pacer pacer = new Pacer(READS_PER_SECOND);
    byte[] buffer = new byte[BLOCK_BYTES];  // reused: the Java heap stays flat
    int index = 0;
    while (SampleMain.before(deadline)) {
      for (int n = pacer.due(); n > 0; n--) archive.readEntry(index++, buffer);
      SampleMain.sleepMillis(10);
    }
  }

  private static void runBatches(Runnable batch, long deadline) {
    Pacer pacer = new Pacer(BATCHES_PER_SECOND);
    while (SampleMain.before(deadline)) {
      for (int n = pacer.due(); n > 0; n--) batch.run();
      SampleMain.sleepMillis(20);
    }
  }

  /** Text-like bytes that compress about 3:1, as resources do. */
  static byte[] sampleText(int size) {
    String[] words = {"heap", "drift", "native", "memory", "leak", "sample", "inflate",
        "window", "state", "zlib", "archive", "entry", "resource", "class", "loader"};
    StringBuilder text = new StringBuilder(size + 16);
    long x = 0x2545F4914F6CDD1DL;
    while (text.length() < size) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      text.append(words[(int) Long.remainderUnsigned(x, words.length)]).append(' ');
      if ((x & 0xf) == 0) text.append(Long.toHexString(x)).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
    return java.util.Arrays.copyOf(bytes, size);
  }

  /** Raw deflate (no zlib header), as in a zip entry. */
  static byte[] compress(byte[] data) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      deflater.setInput(data);
      deflater.finish();
      byte[] out = new byte[data.length + 1024];
      int n = deflater.deflate(out);
      return java.util.Arrays.copyOf(out, n);
    } finally {
      deflater.end();
    }
  }
}
