#include "thread_counters.h"

#include <new>

#include "internal_alloc.h"

namespace heapdrift {

ThreadCounters* CounterRegistry::acquire() {
  threads_seen_.fetch_add(1, std::memory_order_relaxed);
  for (ThreadCounters* b = head_.load(std::memory_order_acquire); b; b = b->next) {
    bool expected = false;
    if (!b->in_use.load(std::memory_order_relaxed) &&
        b->in_use.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      return b;
    }
  }
  void* memory = internal_map(sizeof(ThreadCounters));
  if (!memory) return nullptr;
  auto* block = new (memory) ThreadCounters;
  block->in_use.store(true, std::memory_order_relaxed);
  ThreadCounters* head = head_.load(std::memory_order_relaxed);
  do {
    block->next = head;
  } while (!head_.compare_exchange_weak(head, block, std::memory_order_release,
                                        std::memory_order_relaxed));
  return block;
}

void CounterRegistry::release(ThreadCounters* block) {
  if (block) block->in_use.store(false, std::memory_order_release);
}

Totals CounterRegistry::sum() const {
  Totals t;
  auto add = [&t](const ThreadCounters& b) {
    t.alloc_calls += b.alloc_calls.load(std::memory_order_relaxed);
    t.free_calls += b.free_calls.load(std::memory_order_relaxed);
    t.alloc_bytes += b.alloc_bytes.load(std::memory_order_relaxed);
    t.free_bytes += b.free_bytes.load(std::memory_order_relaxed);
    t.sampled += b.sampled.load(std::memory_order_relaxed);
  };
  add(shared_);
  for (const ThreadCounters* b = head_.load(std::memory_order_acquire); b; b = b->next) add(*b);
  return t;
}

void CounterRegistry::reset_after_fork(ThreadCounters* keep) {
  auto clear = [](ThreadCounters& b) {
    b.alloc_calls.store(0, std::memory_order_relaxed);
    b.free_calls.store(0, std::memory_order_relaxed);
    b.alloc_bytes.store(0, std::memory_order_relaxed);
    b.free_bytes.store(0, std::memory_order_relaxed);
    b.sampled.store(0, std::memory_order_relaxed);
  };
  clear(shared_);
  for (ThreadCounters* b = head_.load(std::memory_order_relaxed); b; b = b->next) {
    clear(*b);
    b->in_use.store(b == keep, std::memory_order_relaxed);
  }
  threads_seen_.store(keep ? 1 : 0, std::memory_order_relaxed);
}

}  // namespace heapdrift
