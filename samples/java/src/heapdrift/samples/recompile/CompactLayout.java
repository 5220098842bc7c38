package heapdrift.samples.recompile;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

/** 640-byte records (a plugin layout: loaded by name half-way through the run). */
final class CompactLayout extends RecordLayout {
  static final int RECORD_BYTES = 640;

  @Override
  int encodedSize(Order order) {
    return RECORD_BYTES;
  }

  @Override
  void encode(Order order, long address, int size) {
    UNSAFE.putLong(address, order.sequence);
    UNSAFE.putInt(address + 8, (int) order.instrument);
    UNSAFE.putInt(address + 12, (int) order.price);
    UNSAFE.putInt(address + 16, (int) order.quantity);
    pad(address, 20, size, order.price);
  }
}
