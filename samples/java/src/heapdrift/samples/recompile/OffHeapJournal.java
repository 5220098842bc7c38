package heapdrift.samples.recompile;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

import java.util.Arrays;

/**
 * The leak: keeps every order as an off-heap record. Records were to be freed once
 * replicated; that truncation was never implemented, so {@link #append} leaks.
 */
final class OffHeapJournal extends Journal {
  private volatile RecordLayout[] layouts;
  private long[] records = new long[4096];  // addresses
  private int count;
  private long bytes;

  OffHeapJournal(RecordLayout layout) {
    this.layouts = new RecordLayout[] {layout};
  }

  /** Switches to rotating through LAYOUTS (the recompilation trigger). */
  void adoptLayouts(RecordLayout[] layouts) {
    this.layouts = layouts.clone();
  }

  /** The leak: the record is allocated off-heap and kept forever. */
  @Override
  void append(Order order) {
    RecordLayout[] current = layouts;
    RecordLayout layout = current[(int) (order.sequence % current.length)];
    int size = layout.encodedSize(order);
    long address = UNSAFE.allocateMemory(size);
    layout.encode(order, address, size);
    if (count == records.length) records = Arrays.copyOf(records, count * 2);
    records[count++] = address;
    bytes += size;
  }

  int records() {
    return count;
  }

  long bytes() {
    return bytes;
  }
}
