package heapdrift.samples.recompile;

/** An order, mutable and reused by the writer. */
final class Order {
  long sequence;
  long instrument;
  long price;
  long quantity;

  void next() {
    sequence++;
    long x = sequence * 0x9E3779B97F4A7C15L;
    instrument = x >>> 52;
    price = 10_000 + ((x >>> 20) & 0xffff);
    quantity = 1 + ((x >>> 8) & 0x3ff);
  }
}
