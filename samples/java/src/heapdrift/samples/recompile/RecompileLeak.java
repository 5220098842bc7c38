// RecompileLeak: an Unsafe.allocateMemory leak in a method that the JIT compiles,
// throws away and compiles again half-way through the run, so the leaking frames
// come from two different compiled versions of the method (at different code-cache
// addresses) over the run.
//
// The leak: an order journal appends each order as an off-heap record (~1 KiB) and
// keeps every record; the truncation that was to free records once they were
// replicated was never implemented: 3072 orders/s, ~3 MiB/s, for the whole run.
//   leaking allocation site: heapdrift.samples.recompile.OffHeapJournal.append
//
// The recompilation: OffHeapJournal.append encodes each record through a
// RecordLayout (an abstract class). At start-up FixedLayout is the only subclass
// loaded, so C2 compiles append (within ~2 s) with the layout calls devirtualized and
// inlined on the strength of class-hierarchy analysis. Half-way through the run the
// journal loads two more layouts "from a plugin" (CompactLayout and TaggedLayout,
// by name with Class.forName) and rotates through all three: loading them breaks the
// CHA assumption, so the VM deoptimizes append at once ("made not entrant"), it runs
// interpreted and C1-profiled again, and C2 compiles it a second time, now with a
// megamorphic layout call. Record sizes average 1 KiB before and after, so the leak
// rate does not change. append is called through a megamorphic call site (three
// Journal subclasses), so it is never inlined into its caller: it keeps a compiled
// method of its own. Needs a run of 8 s or more for the first C2 compilation to
// happen before the switch.
//
// Decoys, which a leak detector must NOT report (the same Unsafe_AllocateMemory0 ->
// os::malloc -> malloc path as the leak; only the Java frames tell them apart):
//   1. SpillJournal.spill  - every 256th order, 48 spill buffers of 256 KiB (12 MiB)
//                            allocated, filled and freed (12 times/s, ~144 MB/s): churn.
//   2. RingJournal.append  - a ring of the last 4096 orders in 4 KiB off-heap slots,
//                            allocated on first use: fills to 16 MiB in ~1.3 s, then
//                            overwrites its oldest slot: grows, then plateaus.
//
// Usage: java -cp heapdrift-samples.jar heapdrift.samples.recompile.RecompileLeak SECONDS
// No JVM flags needed (-XX:+PrintCompilation shows the timeline). The journal is
// never closed, so its records are still live at exit; everything else is freed
// before main returns.

package heapdrift.samples.recompile;

import heapdrift.samples.common.SampleMain;
import heapdrift.samples.common.SampleMain.Pacer;

public final class RecompileLeak {
  static final double ORDERS_PER_SECOND = 3072;  // x ~1 KiB = ~3 MiB/s
  static final String[] PLUGIN_LAYOUTS = {
      "heapdrift.samples.recompile.CompactLayout", "heapdrift.samples.recompile.TaggedLayout"};

  private RecompileLeak() {}

  public static void main(String[] args) {
    int seconds = SampleMain.parseSeconds(args, RecompileLeak.class.getName());
    long start = System.nanoTime();
    long deadline = SampleMain.deadlineAfter(seconds);
    long halfway = start + (deadline - start) / 2;

    // Lives as long as the process, like a service's journal: never closed.
    OffHeapJournal journal = new OffHeapJournal(new FixedLayout());
    SpillJournal spill = new SpillJournal();
    RingJournal ring = new RingJournal();
    Journal[] journals = {journal, spill, ring};
    Thread writer = new Thread(() -> runWriter(journals, deadline), "order-writer");
    writer.start();

    // Half-way: load the plugin layouts, which deoptimizes OffHeapJournal.append.
    while (SampleMain.before(halfway)) SampleMain.sleepMillis(10);
    double switchedAt = (System.nanoTime() - start) / 1e9;
    journal.adoptLayouts(loadLayouts());

    SampleMain.joinAll(writer);
    spill.close();
    ring.close();

    System.err.printf("RecompileLeak: %d s, %d journal records never freed (%.1f MiB), "
            + "layouts switched at %.1f s, %.0f MiB spilled%n",
        seconds, journal.records(), journal.bytes() / 1048576.0, switchedAt,
        spill.bytesSpilled() / 1048576.0);
  }

  private static RecordLayout[] loadLayouts() {
    RecordLayout[] layouts = new RecordLayout[PLUGIN_LAYOUTS.length + 1];
    layouts[0] = new FixedLayout();
    for (int i = 0; i < PLUGIN_LAYOUTS.length; i++) {
      try {
        layouts[i + 1] = Class.forName(PLUGIN_LAYOUTS[i]).asSubclass(RecordLayout.class)
            .getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot load layout " + PLUGIN_LAYOUTS[i], e);
      }
    }
    return layouts;
  }

  private static void runWriter(Journal[] journals, long deadline) {
    Pacer pacer = new Pacer(ORDERS_PER_SECOND);
    Order order = new Order();  // reused: the Java heap stays flat
    while (SampleMain.before(deadline)) {
      for (int n = pacer.due(); n > 0; n--) {
        order.next();
        dispatch(journals, order);
      }
      SampleMain.sleepMillis(10);
    }
  }

  /** Appends the order to every journal: a megamorphic call site, never inlined. */
  static void dispatch(Journal[] journals, Order order) {
    for (Journal journal : journals) journal.append(order);
  }
}
