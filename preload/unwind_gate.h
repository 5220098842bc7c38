// Keeps fork() out while any thread is inside libunwind.
//
// Debian 12's libunwind is built without per-thread caches: UNW_CACHE_PER_THREAD falls
// back to one global cache behind one mutex of libunwind's own, taken on every step. A
// fork while another thread holds it gives a child whose first unwind blocks forever
// on a mutex owned by a thread that does not exist there. So threads enter the gate
// around an unwind, and fork's prepare handler closes it and waits until nobody is
// inside: the child never inherits that mutex held.
//
// enter() and close() are a Dekker pair (each publishes, then reads the other's flag).
// Each thread counts itself in a counter of its own (ThreadCounters::unwinding, on its
// own cache line), so that entering writes no line another thread writes: one shared
// counter, bouncing between cores, had been most of a sample's cost in exact mode.
// Where the kernel has membarrier(2), the barrier is asymmetric: enter() is a plain
// store and load, and close(), run once per fork, makes every thread of the process
// execute a full barrier instead. Elsewhere enter() is a locked read-modify-write.
#ifndef HEAPDRIFT_PRELOAD_UNWIND_GATE_H
#define HEAPDRIFT_PRELOAD_UNWIND_GATE_H

#include <atomic>

namespace heapdrift {

class UnwindGate {
 public:
  // Registers for the expedited membarrier, once at start-up and in a fork child;
  // false (and the locked barrier on every entry) where the kernel has none.
  bool use_membarrier_if_available();

  // `own` is the calling thread's counter, which no other thread writes, or null for a
  // thread without one (it shares a counter, always locked).
  void enter(std::atomic<int>* own) {
    if (!own) return enter_locked(shared_);
    if (!asymmetric_) return enter_locked(*own);
    for (;;) {
      own->store(1, std::memory_order_relaxed);
      std::atomic_signal_fence(std::memory_order_seq_cst);  // close()'s membarrier orders the CPU
      if (!closed_.load(std::memory_order_relaxed)) return;
      own->store(0, std::memory_order_relaxed);
      wait_while_closed();
    }
  }
  void leave(std::atomic<int>* own) {
    if (own) own->store(0, std::memory_order_release);
    else shared_.fetch_sub(1);
  }

  // fork's prepare handler: no new entries; then wait_until_out() for each thread's
  // counter (shared() is waited for here).
  void close();
  static void wait_until_out(const std::atomic<int>& inside);
  void open() { closed_.store(false); }
  // The fork child: the threads that were waiting to enter do not exist there.
  void reset_after_fork();

 private:
  void enter_locked(std::atomic<int>& counter) {
    for (;;) {
      counter.fetch_add(1);
      if (!closed_.load()) return;
      counter.fetch_sub(1);
      wait_while_closed();
    }
  }
  void wait_while_closed() const;

  std::atomic<bool> closed_{false};
  std::atomic<int> shared_{0};
  bool asymmetric_ = false;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_UNWIND_GATE_H
