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
// hence sequentially consistent accesses.
#ifndef HEAPDRIFT_PRELOAD_UNWIND_GATE_H
#define HEAPDRIFT_PRELOAD_UNWIND_GATE_H

#include <atomic>
#include <sched.h>

namespace heapdrift {

class UnwindGate {
 public:
  void enter() {
    for (;;) {
      while (closed_.load()) sched_yield();
      inside_.fetch_add(1);
      if (!closed_.load()) return;
      inside_.fetch_sub(1);
    }
  }
  void leave() { inside_.fetch_sub(1); }

  // fork's prepare handler: no new entries, and wait for those inside to leave.
  void close() {
    closed_.store(true);
    while (inside_.load() != 0) sched_yield();
  }
  void open() { closed_.store(false); }
  // The fork child: the threads that were waiting to enter do not exist there.
  void reset_after_fork() {
    inside_.store(0);
    closed_.store(false);
  }

 private:
  std::atomic<int> inside_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_UNWIND_GATE_H
