#include "thread_counters.h"

#include <cerrno>
#include <new>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal_alloc.h"

namespace heapdrift {

namespace {

static_assert(kPageBytes % sizeof(ThreadCounters) == 0);

// A released block, claimed; nullptr if there is none.
ThreadCounters* claim_released(std::atomic<ThreadCounters*>& head_ref) {
  for (ThreadCounters* b = head_ref.load(std::memory_order_acquire); b; b = b->next) {
    bool expected = false;
    if (!b->in_use.load(std::memory_order_relaxed) &&
        b->in_use.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      return b;
    }
  }
  return nullptr;
}

uint64_t take(std::atomic<uint64_t>& c) { return c.exchange(0, std::memory_order_relaxed); }

// Whether thread `tid` of process `pid` has ended (a signal 0 only checks it exists).
bool thread_gone(pid_t pid, int tid) { return syscall(SYS_tgkill, pid, tid, 0) != 0 && errno == ESRCH; }

// Under the registry's lock: the block has no owner any more, and may be claimed again.
void disown(ThreadCounters& b) {
  b.fast = nullptr;
  b.owner_tid = 0;
  b.in_use.store(false, std::memory_order_release);
}

}  // namespace

ThreadCounters* CounterRegistry::acquire(FastCounts* fast, int tid) {
  threads_seen_.fetch_add(1, std::memory_order_relaxed);
  ThreadCounters* block = claim_released(head_);
  SpinLockGuard guard(lock_);
  if (!block && !(block = carve())) return nullptr;
  block->fast = fast;
  block->owner_tid = tid;
  return block;
}

// Blocks share pages, 32 to one: a page each cost every new thread an mmap, a page
// fault and 4 KiB: 4 MiB for a JVM of 1,000 threads.
ThreadCounters* CounterRegistry::carve() {
  if (!spare_ || reinterpret_cast<uintptr_t>(spare_) % kPageBytes == 0) {
    spare_ = static_cast<ThreadCounters*>(internal_map(kPageBytes));
    if (!spare_) return nullptr;
  }
  auto* block = new (spare_++) ThreadCounters;
  block->in_use.store(true, std::memory_order_relaxed);
  block->next = head_.load(std::memory_order_relaxed);
  head_.store(block, std::memory_order_release);  // for_each reads without the lock
  return block;
}

void CounterRegistry::release(ThreadCounters* block) {
  if (!block) return;
  SpinLockGuard guard(lock_);
  if (FastCounts* f = block->fast) {
    ThreadCounters::bump(block->alloc_calls, take(f->alloc_calls));
    ThreadCounters::bump(block->free_calls, take(f->free_calls));
  }
  disown(*block);
}

Totals CounterRegistry::sum() {
  Totals t;
  auto add = [&t](const ThreadCounters& b) {
    t.alloc_calls += b.alloc_calls.load(std::memory_order_relaxed);
    t.free_calls += b.free_calls.load(std::memory_order_relaxed);
    t.alloc_bytes += b.alloc_bytes.load(std::memory_order_relaxed);
    t.free_bytes += b.free_bytes.load(std::memory_order_relaxed);
    t.sampled += b.sampled.load(std::memory_order_relaxed);
  };
  add(shared_);
  const pid_t pid = getpid();
  SpinLockGuard guard(lock_);
  for (ThreadCounters* b = head_.load(std::memory_order_acquire); b; b = b->next) {
    add(*b);
    if (!b->fast) continue;
    if (thread_gone(pid, b->owner_tid)) {
      disown(*b);
      continue;
    }
    t.alloc_calls += b->fast->alloc_calls.load(std::memory_order_relaxed);
    t.free_calls += b->fast->free_calls.load(std::memory_order_relaxed);
  }
  return t;
}

void CounterRegistry::reset_after_fork(ThreadCounters* keep, int tid) {
  auto clear = [](ThreadCounters& b) {
    b.alloc_calls.store(0, std::memory_order_relaxed);
    b.free_calls.store(0, std::memory_order_relaxed);
    b.alloc_bytes.store(0, std::memory_order_relaxed);
    b.free_bytes.store(0, std::memory_order_relaxed);
    b.sampled.store(0, std::memory_order_relaxed);
  };
  lock_.reset();
  clear(shared_);
  for (ThreadCounters* b = head_.load(std::memory_order_relaxed); b; b = b->next) {
    clear(*b);
    bool kept = b == keep;
    b->in_use.store(kept, std::memory_order_relaxed);
    if (kept && b->fast) {
      take(b->fast->alloc_calls);
      take(b->fast->free_calls);
    } else {
      b->fast = nullptr;
    }
    b->owner_tid = kept ? tid : 0;
  }
  threads_seen_.store(keep ? 1 : 0, std::memory_order_relaxed);
}

}  // namespace heapdrift
