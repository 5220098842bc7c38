package heapdrift.samples.recompile;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

/** 1408-byte tagged records (a plugin layout: loaded by name half-way through the run). */
final class TaggedLayout extends RecordLayout {
  static final int RECORD_BYTES = 1408;
  static final long TAG = 0x4F52444552000000L;  // "ORDER"

  @Override
  int encodedSize(Order order) {
    return RECORD_BYTES;
  }

  @Override
  void encode(Order order, long address, int size) {
    UNSAFE.putLong(address, TAG | (order.sequence & 0xffffff));
    UNSAFE.putLong(address + 8, order.sequence);
    UNSAFE.putLong(address + 16, order.instrument);
    UNSAFE.putLong(address + 24, order.price);
    UNSAFE.putLong(address + 32, order.quantity);
    pad(address, 40, size, order.quantity);
  }
}
