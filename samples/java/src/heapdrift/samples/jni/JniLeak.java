// JniLeak: a native leak inside a JNI library, behind an ordinary Java method.
//
// The leak: NativeCodec.encode hands each outgoing frame to libjnileak.so, whose
// codec keeps a copy of every encoded frame in a retransmission cache
// (codec::FrameCache::retain, a std::vector of frames) until the peer acknowledges
// it. Nothing calls NativeCodec.acknowledge (the transport's acknowledgement handler
// was lost in a refactoring), so the cache is never trimmed: 750 frames/s of 4 KiB,
// ~3 MiB/s, for the whole run. The Java heap and Native Memory Tracking see nothing:
// the memory comes from the C++ library's operator new.
//   leaking allocation site: codec::FrameCache::retain (libjnileak.so), called from
//   Java_heapdrift_samples_jni_NativeCodec_encode0 <- heapdrift.samples.jni.NativeCodec.encode
//
// Decoys, which a leak detector must NOT report:
//   1. codec::BlockHasher::digest (libjnileak.so, from NativeCodec.checksum) - 48
//      lanes of 256 KiB (12 MiB) allocated, filled and freed per call, 10 calls/s
//      (~120 MB/s): churn.
//   2. codec::Dictionary::load (libjnileak.so, from NativeCodec.loadDictionary) - one
//      32 MiB dictionary, resident, loaded at start-up and held for the whole run
//      (freed by NativeCodec.releaseDictionary at the end): large but flat.
//
// Usage: java -cp heapdrift-samples.jar heapdrift.samples.jni.JniLeak SECONDS
// The library is loaded with System.load from -Dheapdrift.jnileak.library=PATH if
// given, else as libjnileak.so beside heapdrift-samples.jar (where the build puts
// both). No JVM flags needed. A library that cannot be loaded: an error line, exit 1.
// The frame cache is never freed (it is a global of the library), so its frames are
// still live at exit; everything else is freed before main returns.

package heapdrift.samples.jni;

import heapdrift.samples.common.SampleMain;
import heapdrift.samples.common.SampleMain.Pacer;
import java.util.SplittableRandom;

public final class JniLeak {
  static final double FRAMES_PER_SECOND = 750;  // x 4 KiB = ~3 MiB/s
  static final int FRAME_PAYLOAD_BYTES = NativeCodec.FRAME_BYTES - NativeCodec.FRAME_HEADER_BYTES;
  static final int CHECKSUMS_PER_SECOND = 10;
  static final int DICTIONARY_BYTES = 32 << 20;

  private JniLeak() {}

  public static void main(String[] args) {
    int seconds = SampleMain.parseSeconds(args, JniLeak.class.getName());
    try {
      NativeCodec.loadLibrary();
    } catch (UnsatisfiedLinkError | SecurityException e) {
      System.err.println("JniLeak: " + e.getMessage());
      System.exit(1);
    }
    long deadline = SampleMain.deadlineAfter(seconds);

    NativeCodec.loadDictionary(DICTIONARY_BYTES);
    NativeCodec codec = new NativeCodec();
    long[] checksums = new long[1];
    Thread sender = new Thread(() -> runSender(codec, deadline), "frame-sender");
    Thread verifier = new Thread(() -> checksums[0] = runVerifier(codec, deadline), "block-verifier");
    sender.start();
    verifier.start();
    SampleMain.joinAll(sender, verifier);
    NativeCodec.releaseDictionary();

    System.err.printf("JniLeak: %d s, %d frames encoded, %d never released by the native "
            + "frame cache (%.1f MiB), %d block checksums (%.0f MiB churned)%n",
        seconds, codec.framesEncoded(), NativeCodec.retainedFrames(),
        NativeCodec.retainedBytes() / 1048576.0, checksums[0],
        checksums[0] * (double) NativeCodec.DIGEST_SCRATCH_BYTES / 1048576.0);
  }

  private static void runSender(NativeCodec codec, long deadline) {
    Pacer pacer = new Pacer(FRAMES_PER_SECOND);
    SplittableRandom random = new SplittableRandom(42);
    byte[] frame = new byte[FRAME_PAYLOAD_BYTES];  // reused: the Java heap stays flat
    while (SampleMain.before(deadline)) {
      for (int n = pacer.due(); n > 0; n--) {
        for (int i = 0; i < frame.length; i += 8) frame[i] = (byte) random.nextInt();
        codec.encode(frame, frame.length);
      }
      SampleMain.sleepMillis(10);
    }
  }

  private static long runVerifier(NativeCodec codec, long deadline) {
    Pacer pacer = new Pacer(CHECKSUMS_PER_SECOND);
    byte[] block = new byte[64 * 1024];
    long count = 0;
    while (SampleMain.before(deadline)) {
      for (int n = pacer.due(); n > 0; n--) {
        block[(int) (count % block.length)]++;
        codec.checksum(block, block.length);
        count++;
      }
      SampleMain.sleepMillis(20);
    }
    return count;
  }
}
