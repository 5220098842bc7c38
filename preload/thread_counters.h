// Exact running totals (allocations, frees and their usable bytes), kept per thread so
// that the fast path touches no shared cache line: the owning thread adds with plain
// relaxed stores, the writer thread sums every block with relaxed loads.
//
// Blocks are never freed. When a thread exits its block is released and the next new
// thread takes it over, carrying on from its counts: the sums stay exact and the
// number of blocks stays bounded by the peak number of threads.
//
// The two counts every unsampled call bumps are not in the block but in the thread's
// own TLS (FastCounts, in ThreadState): one add to the line the hook reads anyway,
// where the block cost a load of its address and an add to a line of its own. The
// block points at them while its thread runs; the writer reads them through it, and
// the thread folds them into the block when it exits, both under the registry's lock,
// so that no count is read twice or after the thread's TLS is gone.
#ifndef HEAPDRIFT_PRELOAD_THREAD_COUNTERS_H
#define HEAPDRIFT_PRELOAD_THREAD_COUNTERS_H

#include <atomic>
#include <cstdint>

#include "spin_lock.h"

namespace heapdrift {

struct Totals {
  uint64_t alloc_calls = 0;
  uint64_t free_calls = 0;
  uint64_t alloc_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t sampled = 0;
};

// Relaxed atomics for the writer's loads; the owner adds with bump().
struct FastCounts {
  std::atomic<uint64_t> alloc_calls{0};
  std::atomic<uint64_t> free_calls{0};
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
  // While a thread owns the block (CounterRegistry::lock_): its FastCounts and its id.
  FastCounts* fast = nullptr;
  int owner_tid = 0;

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
  // A block for the calling thread (kernel id `tid`, counting its fast calls in
  // `fast`): a released one if any, else a new one. nullptr only if memory for a new
  // block could not be mapped.
  ThreadCounters* acquire(FastCounts* fast, int tid);
  // The thread is done with its block: its fast counts are folded into it.
  void release(ThreadCounters* block);

  // Counts of threads whose block was lost (mapping failed, or allocations after the
  // thread's exit handler ran) go to one shared block, updated atomically.
  ThreadCounters& shared() { return shared_; }
  static void add_shared(std::atomic<uint64_t>& c, uint64_t n) {
    c.fetch_add(n, std::memory_order_relaxed);
  }

  // The totals over every block. A block whose thread is gone without releasing it
  // (its exit handler never ran: a first allocation in the last round of its TLS
  // destructors, or an exit by raw syscall) is released here, without reading the
  // TLS it pointed at; that thread's fast counts are lost.
  Totals sum();
  // Calls f(block) for every block ever created, in use or not.
  template <class F>
  void for_each(F f) {
    for (ThreadCounters* b = head_.load(std::memory_order_seq_cst); b; b = b->next) f(*b);
  }
  uint64_t threads_seen() const { return threads_seen_.load(std::memory_order_relaxed); }

  // In a fork child: the child starts clean; blocks of the parent's other threads
  // are released for reuse and every count is zeroed (`keep`'s fast counts too; its
  // owner is the forking thread, now with kernel id `tid`).
  void reset_after_fork(ThreadCounters* keep, int tid);

 private:
  ThreadCounters* carve();  // a new block, under lock_

  std::atomic<ThreadCounters*> head_{nullptr};
  ThreadCounters* spare_ = nullptr;  // the next block of the page carved from
  std::atomic<uint64_t> threads_seen_{0};
  ThreadCounters shared_;
  SpinLock lock_;  // a block's `fast` and `owner_tid`, reading through `fast`, and carving
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_THREAD_COUNTERS_H
