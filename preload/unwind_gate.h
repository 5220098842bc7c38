// Keeps fork() out while any thread is inside libunwind.
//
// Debian 12's libunwind is built without per-thread caches: UNW_CACHE_PER_THREAD falls
// back to one global cache behind one mutex of libunwind's own, taken on every step. A
// fork while another thread holds it gives a child whose first unwind blocks forever
// on a mutex owned by a thread that does not exist there. So threads enter the gate
// around an unwind, and fork's prepare handler closes it and waits until nobody is
// inside: the child never inherits that mutex held.
//
// enter() and close() are a Dekker pair (each publishes, then reads the other's flag),
// hence sequentially consistent accesses. Each thread counts itself in a counter of its
// own (ThreadCounters::unwinding, on its own cache line), so that entering writes no
// line another thread writes: one shared counter, bouncing between cores, had been
// most of a sample's cost in exact mode. close() is then told of every counter.
#ifndef HEAPDRIFT_PRELOAD_UNWIND_GATE_H
#define HEAPDRIFT_PRELOAD_UNWIND_GATE_H

#include <atomic>
#include <sched.h>

namespace heapdrift {

class UnwindGate {
 public:
  // `inside` is the calling thread's counter, or shared() for a thread without one.
  void enter(std::atomic<int>& inside) {
    for (;;) {
      while (closed_.load()) sched_yield();
      inside.fetch_add(1);
      if (!closed_.load()) return;
      inside.fetch_sub(1);
    }
  }
  static void leave(std::atomic<int>& inside) { inside.fetch_sub(1); }
  std::atomic<int>& shared() { return shared_; }

  // fork's prepare handler: no new entries; then wait_until_out() for each thread's
  // counter and shared().
  void close() { closed_.store(true); }
  static void wait_until_out(const std::atomic<int>& inside) {
    while (inside.load() != 0) sched_yield();
  }
  void open() { closed_.store(false); }
  // The fork child: the threads that were waiting to enter do not exist there.
  void reset_after_fork() {
    shared_.store(0);
    closed_.store(false);
  }

 private:
  std::atomic<bool> closed_{false};
  std::atomic<int> shared_{0};
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_UNWIND_GATE_H
