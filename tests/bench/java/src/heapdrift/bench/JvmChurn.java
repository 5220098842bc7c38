package heapdrift.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The JVM workload of docs/PERFORMANCE.md: threads that each compress and decompress
 * small buffers with fresh zlib streams (every Deflater/Inflater mallocs its state and
 * frees it on end()) and call a JNI library that churns malloc/free, for a fixed
 * amount of work. Usage: JvmChurn THREADS ROUNDS; prints the checksum of the work.
 */
public final class JvmChurn {
  private JvmChurn() {}

  static native long churn(long ops, long seed);

  private static long round(byte[] input, byte[] packed, byte[] unpacked, long seed) throws DataFormatException {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    deflater.setInput(input);
    deflater.finish();
    int n = deflater.deflate(packed);
    deflater.end();
    Inflater inflater = new Inflater();
    inflater.setInput(packed, 0, n);
    int m = inflater.inflate(unpacked);
    inflater.end();
    return n + m + churn(2000, seed);
  }

  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    System.load(System.getProperty("heapdrift.bench.jni"));
    long[] sums = new long[threads];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int index = t;
      Thread w = new Thread(() -> {
        byte[] input = new byte[16 * 1024];
        for (int i = 0; i < input.length; i++) input[i] = (byte) ((i * 31 + index) % 61);
        byte[] packed = new byte[32 * 1024];
        byte[] unpacked = new byte[input.length];
        long sum = 0;
        try {
          for (int r = 0; r < rounds; r++) sum += round(input, packed, unpacked, index * 1000003L + r);
        } catch (DataFormatException e) {
          throw new IllegalStateException(e);
        }
        sums[index] = sum;
      }, "churn-" + t);
      workers.add(w);
      w.start();
    }
    long total = 0;
    for (int t = 0; t < threads; t++) {
      workers.get(t).join();
      total += sums[t];
    }
    System.out.println("checksum " + total);
  }
}
