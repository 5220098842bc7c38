// The table of sampled allocations that are still live: address -> (size, stack id,
// allocation time, thread). Not its weight: a function of its size, which the snapshot
// writer computes (Sampler::weight).
//
// Every free() asks the table's PageFilter first, without a lock; only a "maybe" takes
// the lock of one of the table's shards. Inserts add to the filter before the pointer
// is returned to the program, so any free() of it sees a non-zero byte. In exact mode,
// where every block is in the table, the table has no filter: keeping one would cost
// two atomic updates a block and rule nothing out.
//
// The table is split in kShards open-addressing hash tables (linear probing with
// backward-shift deletion), each behind its own spin lock. A block's shard is that of
// its 64 KiB region of address space: a thread's blocks come from its own arena, so
// two threads rarely write the same shard's cache line (hashed per block, every
// operation of exact mode moved a lock's line between cores). Shards may therefore
// fill unevenly, so the cap on entries is on the whole table: a shard grows only
// while the table holds fewer than max_entries, which bounds it to about twice that.
// The arrays come from internal_map. The shards' first ones (16 entries each) lie side
// by side in one mapping made with the table: a shard's first sample maps nothing, and
// a process whose samples reach every shard holds 40 pages of them rather than 256.
#ifndef HEAPDRIFT_PRELOAD_LIVE_TABLE_H
#define HEAPDRIFT_PRELOAD_LIVE_TABLE_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "page_filter.h"
#include "spin_lock.h"

namespace heapdrift {

struct LiveEntry {
  uintptr_t address;  // 0 marks an empty slot
  uint64_t size;
  uint64_t alloc_ns;  // CLOCK_MONOTONIC
  uint32_t stack_id;
  uint32_t tid;
};
static_assert(sizeof(LiveEntry) == 32, "two entries to a cache line, none across two");

class LiveTable {
 public:
  static constexpr unsigned kShards = 256;

  // `filter` (or nullptr for none) outlives the table; the shim's is the global its
  // free() reads.
  LiveTable(uint64_t max_entries, PageFilter* filter);
  ~LiveTable();
  LiveTable(const LiveTable&) = delete;
  LiveTable& operator=(const LiveTable&) = delete;

  // False when the table is full (the sample is dropped and counted) or memory for
  // the table could not be mapped.
  bool insert(const LiveEntry& entry);

  // The free() path. Lock-free unless the filter says the address may be present.
  bool erase(uintptr_t address, LiveEntry* removed = nullptr) {
    if (filter_ && !filter_->may_hold(address)) return false;
    return erase_slow(address, removed);
  }
  // erase() once the filter said "maybe".
  bool erase_slow(uintptr_t address, LiveEntry* removed = nullptr);

  // Starts loading the shard and slot `address` hashes to, without the lock (a stale
  // view only prefetches the wrong line; a prefetch never faults), so that the misses
  // overlap the work done before insert() or erase().
  void prefetch(uintptr_t address) const {
    const Shard& shard = shards_[shard_index(address)];
    __builtin_prefetch(&shard, 1);
    const LiveEntry* slots = __atomic_load_n(&shard.slots, __ATOMIC_RELAXED);
    uint32_t capacity = __atomic_load_n(&shard.capacity, __ATOMIC_RELAXED);
    if (slots) __builtin_prefetch(&slots[slot_index(address, capacity)], 1);
  }

  // Copies the entries of one shard under its lock into out[0..capacity); returns how
  // many there were (a return > capacity means `out` was too small and nothing past
  // capacity was written). Lets the writer hold each lock only for one memcpy.
  size_t copy_shard(unsigned shard, LiveEntry* out, size_t capacity);

  uint64_t size() const;            // approximate while other threads run
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // A sample dropped before it reached the table (no stack room for it: Recorder).
  void count_dropped() { dropped_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t mapped_bytes() const;

  // Faults in the shards' first arrays and the filter (internal_populate): samples land
  // on them at random, and each first touch of a page would fault twice.
  void populate();

  // Lock / unlock every shard (fork's prepare and parent handlers).
  void lock_all();
  void unlock_all();
  // In a fork child: empty the table (the child starts clean), locks reset. Only the
  // filter bytes of the entries are cleared: the child writes no other filter page.
  void reset_after_fork();

 private:
  // One cache line each: two threads working on neighbouring shards share none.
  // slots, capacity and count change under the lock but are also read without it
  // (prefetch, size, mapped_bytes): they are stored with relaxed atomic stores, which
  // cost a plain store, so that those reads are no data race.
  struct alignas(64) Shard {
    SpinLock lock;
    LiveEntry* slots = nullptr;
    uint32_t capacity = 0;  // power of two
    uint32_t count = 0;
  };

  static unsigned shard_index(uintptr_t address) { return ((address >> 16) * 0x9E3779B97F4A7C15ull) >> 56; }
  static uint32_t slot_index(uintptr_t address, uint32_t capacity);

  bool grow(Shard& shard);
  bool is_initial(const LiveEntry* slots) const;  // a shard's first array, in initial_

  uint64_t max_entries_;
  Shard shards_[kShards];
  PageFilter* filter_;
  LiveEntry* initial_;  // kShards first arrays, or null (then each shard maps its own)
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_LIVE_TABLE_H
