package heapdrift.samples.recompile;

/** Where orders are written. Three subclasses: the call to append is megamorphic. */
abstract class Journal {
  abstract void append(Order order);

  void close() {}
}
