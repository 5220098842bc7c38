package heapdrift.samples.recompile;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

/**
 * How an order is laid out as an off-heap record. Only FixedLayout is loaded at
 * start-up; CompactLayout and TaggedLayout are loaded by name half-way through the run.
 */
abstract class RecordLayout {
  abstract int encodedSize(Order order);

  abstract void encode(Order order, long address, int size);

  /** Fills the record's padding, so that all of it is resident. */
  static void pad(long address, int from, int size, long seed) {
    UNSAFE.setMemory(address + from, size - from, (byte) seed);
  }
}
