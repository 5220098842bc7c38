package heapdrift.samples.recompile;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

/** Fixed 1 KiB records: the only layout until half-way through the run. */
final class FixedLayout extends RecordLayout {
  static final int RECORD_BYTES = 1024;

  @Override
  int encodedSize(Order order) {
    return RECORD_BYTES;
  }

  @Override
  void encode(Order order, long address, int size) {
    UNSAFE.putLong(address, order.sequence);
    UNSAFE.putLong(address + 8, order.instrument);
    UNSAFE.putLong(address + 16, order.price);
    UNSAFE.putLong(address + 24, order.quantity);
    pad(address, 32, size, order.sequence);
  }
}
