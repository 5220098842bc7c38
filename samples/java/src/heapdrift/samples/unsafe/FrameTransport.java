package heapdrift.samples.unsafe;

import java.nio.ByteBuffer;

/**
 * Decoy (dropped direct buffers): a 256 KiB direct ByteBuffer per frame, dropped as
 * soon as the frame is "sent". Their native memory is freed by their Cleaners once a
 * GC has found them unreachable; {@link #reclaim} forces that GC every 64 frames.
 */
final class FrameTransport {
  static final int FRAME_BYTES = 256 * 1024;
  static final int FRAMES_PER_GC = 64;  // ~16 MiB of dropped buffers at the peak

  private long sent;
  private long checksum;

  void sendFrame() {
    ByteBuffer frame = ByteBuffer.allocateDirect(FRAME_BYTES);  // zeroed: resident
    for (int i = 0; i < FRAME_BYTES; i += 4096) frame.putLong(i, sent + i);
    checksum += frame.getLong(FRAME_BYTES / 2);
    // dropped here
    if (++sent % FRAMES_PER_GC == 0) reclaim();
  }

  /** Lets the Cleaners of the dropped buffers run, as Bits.reserveMemory would. */
  void reclaim() {
    System.gc();
  }

  long framesSent() {
    return sent;
  }

  void close() {
    reclaim();
  }
}
