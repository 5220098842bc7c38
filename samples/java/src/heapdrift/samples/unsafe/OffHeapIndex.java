package heapdrift.samples.unsafe;

import static heapdrift.samples.common.UnsafeAccess.UNSAFE;

import java.util.Arrays;

/**
 * An append-only off-heap index: every update of a key appends a new 1 KiB entry
 * (key, version, value). Superseded versions were meant to be freed by a compaction
 * that was never wired up, so {@link #addEntry} leaks: nothing ever frees an entry.
 */
final class OffHeapIndex {
  static final int ENTRY_BYTES = 1024;

  private long[] entries = new long[4096];  // addresses of the entries
  private int count;

  /** The leak: allocates an entry off-heap and keeps it forever. */
  long addEntry(long key, long version, long value) {
    long address = UNSAFE.allocateMemory(ENTRY_BYTES);
    UNSAFE.putLong(address, key);
    UNSAFE.putLong(address + 8, version);
    UNSAFE.setMemory(address + 16, ENTRY_BYTES - 16, (byte) value);  // resident
    if (count == entries.length) entries = Arrays.copyOf(entries, count * 2);
    entries[count++] = address;
    return address;
  }

  int size() {
    return count;
  }

  long bytes() {
    return (long) count * ENTRY_BYTES;
  }
}
