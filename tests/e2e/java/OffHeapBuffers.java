// OffHeapBuffers SECONDS: off-heap buffers from real libraries (Debian's Netty and JNA),
// each leak from a method of its own: stageUpload keeps Netty's unpooled direct buffers
// and reserveScratch keeps JNA's Memory, never released; encodeReply takes pooled direct
// buffers and releases each at once (the decoy). The leaks must be named by the methods
// that asked, not by the libraries' allocators.
import com.sun.jna.Memory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

public final class OffHeapBuffers {
  static final List<Object> kept = new ArrayList<>();

  static void stageUpload() {
    ByteBuf b = UnpooledByteBufAllocator.DEFAULT.directBuffer(16384);
    b.writeLong(1);
    kept.add(b);
  }

  static void reserveScratch() {
    kept.add(new Memory(16384));
  }

  static void encodeReply() {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(8192);
    b.writeLong(7);
    b.release();
  }

  public static void main(String[] args) throws InterruptedException {
    long start = System.nanoTime(), end = start + Long.parseLong(args[0]) * 1_000_000_000L;
    int leaked = 0;
    // By the clock: on a loaded machine, buffers that fell behind are made up. 400 of
    // each leak a second, 6.25 MiB/s.
    for (long now = start; now < end; now = System.nanoTime()) {
      while (leaked < (now - start) / 2_500_000L) {
        for (int k = 0; k < 10; k++) encodeReply();
        stageUpload();
        reserveScratch();
        leaked++;
      }
      Thread.sleep(1);
    }
    System.err.println("OffHeapBuffers: " + leaked + " buffers of each kind kept");
  }
}
