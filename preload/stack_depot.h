// Append-only store of distinct call stacks, each given a 32-bit id.
//
// Stacks are deduplicated by their XXH3 hash into a fixed array of buckets holding
// singly linked chains. A lookup walks a chain with acquire loads and takes no lock;
// only inserting a new stack takes the depot's lock (after a second look under it).
// Before hashing, intern() compares the stack with the caller's last one, by its id.
// Records are never moved or freed, so the writer thread reads them by id while
// allocating threads keep inserting. Past max_stacks, intern() returns
// kOverflowStackId and counts the drop (after LLVM's stack depot and
// async-profiler's CallTraceStorage).
#ifndef HEAPDRIFT_PRELOAD_STACK_DEPOT_H
#define HEAPDRIFT_PRELOAD_STACK_DEPOT_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "snapshot_format.h"
#include "spin_lock.h"

namespace heapdrift {

struct StackRecord {
  std::atomic<StackRecord*> next;  // chain of the bucket
  uint64_t hash;
  uint32_t id;
  uint16_t depth;
  uint16_t flags;
  uintptr_t frames[];  // depth entries, then depth methods with kStackInterpreterMethods

  // The interpreted frames' Method* slots, parallel to frames (0: none); nullptr when
  // the stack has none.
  const uintptr_t* methods() const;
};

class StackDepot {
 public:
  static constexpr unsigned kBucketBits = 16;

  explicit StackDepot(uint32_t max_stacks);
  ~StackDepot();
  StackDepot(const StackDepot&) = delete;
  StackDepot& operator=(const StackDepot&) = delete;

  // Returns the id of this stack (1, 2, ...), or kOverflowStackId (0) when full.
  // With format::kStackInterpreterMethods in flags, `methods` (depth entries, parallel
  // to frames) is part of the stack: two stacks that differ only in an interpreted
  // frame's method are two stacks. Without it, `methods` is not read.
  // `last`: the id the caller's previous stack got (a thread's allocations come in runs
  // from one place), compared first, which saves hashing the stack and a bucket's walk.
  uint32_t intern(const uintptr_t* frames, uint32_t depth, uint16_t flags, const uintptr_t* methods = nullptr,
                  uint32_t last = format::kOverflowStackId);

  // nullptr for 0 and for ids not (yet) published.
  const StackRecord* get(uint32_t id) const;

  uint32_t size() const { return next_id_.load(std::memory_order_acquire) - 1; }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t mapped_bytes() const { return mapped_.load(std::memory_order_relaxed); }
  // Faults the hash buckets in (internal_populate): each new stack reads one at random.
  void populate();

  void lock() { insert_lock_.lock(); }
  void unlock() { insert_lock_.unlock(); }
  void reset_lock_after_fork() { insert_lock_.reset(); }

 private:
  static constexpr unsigned kIndexPageBits = 12;  // ids per index page
  static constexpr unsigned kIndexPages = 1024;   // => at most 4M ids
  static constexpr size_t kArenaChunk = 256 * 1024;

  static uint64_t hash(const uintptr_t* frames, uint32_t depth, uint16_t flags, const uintptr_t* methods);
  static bool holds(const StackRecord& r, const uintptr_t* frames, uint32_t depth, uint16_t flags,
                    const uintptr_t* methods);
  static const StackRecord* find(const StackRecord* head, uint64_t h, const uintptr_t* frames,
                                 uint32_t depth, uint16_t flags, const uintptr_t* methods);
  void* arena_alloc(size_t size);  // under insert_lock_

  uint32_t max_stacks_;
  std::atomic<StackRecord*>* buckets_;
  std::atomic<StackRecord**> index_[kIndexPages] = {};
  std::atomic<uint32_t> next_id_{1};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> mapped_{0};
  SpinLock insert_lock_;
  char* arena_ = nullptr;
  size_t arena_left_ = 0;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_STACK_DEPOT_H
