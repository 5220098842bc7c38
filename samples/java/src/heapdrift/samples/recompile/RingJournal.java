package heapdrift.samples.recompile;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

/**
 * Decoy (bounded): the last 4096 orders in 4 KiB off-heap slots, each allocated on
 * first use and then overwritten: fills to 16 MiB, then stays there.
 */
final class RingJournal extends Journal {
  static final int SLOTS = 4096;
  static final int SLOT_BYTES = 4096;

  private final long[] slots = new long[SLOTS];
  private int next;

  @Override
  void append(Order order) {
    long slot = slots[next];
    if (slot == 0) {
      slot = UNSAFE.allocateMemory(SLOT_BYTES);
      slots[next] = slot;
    }
    UNSAFE.putLong(slot, order.sequence);
    UNSAFE.setMemory(slot + 8, SLOT_BYTES - 8, (byte) order.instrument);  // resident
    next = (next + 1) % SLOTS;
  }

  @Override
  void close() {
    for (int i = 0; i < SLOTS; i++) {
      if (slots[i] != 0) UNSAFE.freeMemory(slots[i]);
      slots[i] = 0;
    }
  }
}
