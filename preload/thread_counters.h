// Exact running totals (allocations, frees and their usable bytes), kept per thread so
// that the fast path touches no shared cache line: the owning thread adds with plain
// relaxed stores, the writer thread sums every block with relaxed loads.
//
// Blocks are never freed. When a thread exits its block is released and the next new
// thread takes it over, carrying on from its counts: the sums stay exact and the
// number of blocks stays bounded by the peak number of threads.
#ifndef HEAPDRIFT_PRELOAD_THREAD_COUNTERS_H
#define HEAPDRIFT_PRELOAD_THREAD_COUNTERS_H

#include <atomic>
#include <cstdint>

namespace heapdrift {

struct Totals {
  uint64_t alloc_calls = 0;
  uint64_t free_calls = 0;
  uint64_t alloc_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t sampled = 0;
};

struct alignas(64) ThreadCounters {
  std::atomic<uint64_t> alloc_calls{0};
  std::atomic<uint64_t> free_calls{0};
  std::atomic<uint64_t> alloc_bytes{0};
  std::atomic<uint64_t> free_bytes{0};
  std::atomic<uint64_t> sampled{0};
  std::atomic<int> unwinding{0};  // the owner is inside libunwind (UnwindGate)
  std::atomic<bool> in_use{false};
  ThreadCounters* next = nullptr;

  // Single writer: not a locked read-modify-write. On x86-64 one add to memory
  // without the lock prefix (the writer thread's aligned 8-byte loads see the value
  // before or after it, never a torn one); elsewhere a relaxed load and store.
  static void bump(std::atomic<uint64_t>& c, uint64_t n) {
#if defined(__x86_64__)
    static_assert(sizeof(c) == sizeof(uint64_t));
    asm volatile("addq %1, %0" : "+m"(*reinterpret_cast<uint64_t*>(&c)) : "er"(n));
#else
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
#endif
  }
  void on_alloc(uint64_t usable) {
    bump(alloc_calls, 1);
    bump(alloc_bytes, usable);
  }
  void on_free(uint64_t usable) {
    bump(free_calls, 1);
    bump(free_bytes, usable);
  }
};

class CounterRegistry {
 public:
  // A block for the calling thread: a released one if any, else a new one.
  // nullptr only if memory for a new block could not be mapped.
  ThreadCounters* acquire();
  void release(ThreadCounters* block);

  // Counts of threads whose block was lost (mapping failed, or allocations after the
  // thread's exit handler ran) go to one shared block, updated atomically.
  ThreadCounters& shared() { return shared_; }
  static void add_shared(std::atomic<uint64_t>& c, uint64_t n) {
    c.fetch_add(n, std::memory_order_relaxed);
  }

  Totals sum() const;
  // Calls f(block) for every block ever created, in use or not.
  template <class F>
  void for_each(F f) {
    for (ThreadCounters* b = head_.load(std::memory_order_seq_cst); b; b = b->next) f(*b);
  }
  uint64_t threads_seen() const { return threads_seen_.load(std::memory_order_relaxed); }

  // In a fork child: the child starts clean; blocks of the parent's other threads
  // are released for reuse and every count is zeroed.
  void reset_after_fork(ThreadCounters* keep);

 private:
  std::atomic<ThreadCounters*> head_{nullptr};
  std::atomic<uint64_t> threads_seen_{0};
  ThreadCounters shared_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_THREAD_COUNTERS_H
