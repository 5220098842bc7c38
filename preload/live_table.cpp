#include "live_table.h"

#include "internal_alloc.h"

namespace heapdrift {
namespace {

constexpr uint32_t kInitialCapacity = 16;
constexpr size_t kInitialBytes = size_t{LiveTable::kShards} * kInitialCapacity * sizeof(LiveEntry);

}  // namespace

LiveTable::LiveTable(uint64_t max_entries, PageFilter* filter)
    : max_entries_(max_entries),
      filter_(filter),
      initial_(static_cast<LiveEntry*>(internal_map(kInitialBytes))) {}

LiveTable::~LiveTable() {
  for (Shard& s : shards_) {
    if (!is_initial(s.slots)) internal_unmap(s.slots, size_t{s.capacity} * sizeof(LiveEntry));
  }
  internal_unmap(initial_, kInitialBytes);
}

bool LiveTable::is_initial(const LiveEntry* slots) const {
  return initial_ && slots >= initial_ && slots < initial_ + kShards * kInitialCapacity;
}

uint32_t LiveTable::slot_index(uintptr_t address, uint32_t capacity) {
  // A mix of all the address bits: one shard's keys are in one region.
  uint64_t h = address >> 4;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return static_cast<uint32_t>(h) & (capacity - 1);
}

bool LiveTable::grow(Shard& shard) {
  if (size() >= max_entries_ || shard.capacity >= (1u << 30)) return false;
  uint32_t capacity = shard.capacity ? shard.capacity * 2 : kInitialCapacity;
  LiveEntry* slots;
  if (shard.capacity == 0 && initial_) {
    slots = initial_ + (&shard - shards_) * kInitialCapacity;  // still zero: used once
  } else {
    slots = static_cast<LiveEntry*>(internal_map(size_t{capacity} * sizeof(LiveEntry)));
    internal_populate(slots, size_t{capacity} * sizeof(LiveEntry));  // the rehash writes all its pages
  }
  if (!slots) return false;
  for (uint32_t i = 0; i < shard.capacity; ++i) {
    const LiveEntry& e = shard.slots[i];
    if (!e.address) continue;
    uint32_t j = slot_index(e.address, capacity);
    while (slots[j].address) j = (j + 1) & (capacity - 1);
    slots[j] = e;
  }
  if (!is_initial(shard.slots)) internal_unmap(shard.slots, size_t{shard.capacity} * sizeof(LiveEntry));
  __atomic_store_n(&shard.slots, slots, __ATOMIC_RELAXED);
  __atomic_store_n(&shard.capacity, capacity, __ATOMIC_RELAXED);
  return true;
}

bool LiveTable::insert(const LiveEntry& entry) {
  Shard& shard = shards_[shard_index(entry.address)];
  {
    SpinLockGuard guard(shard.lock);
    if ((shard.count + 1) * 4 > shard.capacity * 3 && !grow(shard)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    uint32_t mask = shard.capacity - 1;
    uint32_t i = slot_index(entry.address, shard.capacity);
    while (shard.slots[i].address && shard.slots[i].address != entry.address) i = (i + 1) & mask;
    // An address already present means its free went unseen (freed through a path the
    // shim does not hook, or while the re-entrancy guard was set): the new block wins.
    bool fresh = shard.slots[i].address == 0;
    shard.slots[i] = entry;
    if (!fresh) return true;
    __atomic_store_n(&shard.count, shard.count + 1, __ATOMIC_RELAXED);
  }
  if (filter_) filter_->add(entry.address);
  return true;
}

bool LiveTable::erase_slow(uintptr_t address, LiveEntry* removed) {
  Shard& shard = shards_[shard_index(address)];
  {
    SpinLockGuard guard(shard.lock);
    if (!shard.count) return false;
    uint32_t mask = shard.capacity - 1;
    uint32_t i = slot_index(address, shard.capacity);
    while (shard.slots[i].address != address) {
      if (!shard.slots[i].address) return false;
      i = (i + 1) & mask;
    }
    if (removed) *removed = shard.slots[i];
    // Backward-shift deletion: pull later entries of the probe run into the hole, so
    // lookups never need tombstones.
    uint32_t hole = i;
    for (uint32_t j = (i + 1) & mask; shard.slots[j].address; j = (j + 1) & mask) {
      uint32_t home = slot_index(shard.slots[j].address, shard.capacity);
      bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        shard.slots[hole] = shard.slots[j];
        hole = j;
      }
    }
    shard.slots[hole].address = 0;
    __atomic_store_n(&shard.count, shard.count - 1, __ATOMIC_RELAXED);
  }
  if (filter_) filter_->remove(address);
  return true;
}

size_t LiveTable::copy_shard(unsigned index, LiveEntry* out, size_t capacity) {
  Shard& shard = shards_[index];
  SpinLockGuard guard(shard.lock);
  if (shard.count > capacity) return shard.count;
  size_t n = 0;
  for (uint32_t i = 0; i < shard.capacity; ++i) {
    if (shard.slots[i].address) out[n++] = shard.slots[i];
  }
  return n;
}

uint64_t LiveTable::size() const {
  uint64_t n = 0;
  for (const Shard& s : shards_) n += __atomic_load_n(&s.count, __ATOMIC_RELAXED);
  return n;
}

uint64_t LiveTable::mapped_bytes() const {
  uint64_t n = initial_ ? kInitialBytes : 0;
  for (const Shard& s : shards_) {
    uint32_t capacity = __atomic_load_n(&s.capacity, __ATOMIC_RELAXED);
    if (!initial_ || capacity > kInitialCapacity) n += capacity * sizeof(LiveEntry);
  }
  return n;
}

void LiveTable::populate() {
  internal_populate(initial_, kInitialBytes);
  if (filter_) filter_->populate();
}

void LiveTable::lock_all() {
  for (Shard& s : shards_) s.lock.lock();
}

void LiveTable::unlock_all() {
  for (Shard& s : shards_) s.lock.unlock();
}

void LiveTable::reset_after_fork() {
  for (Shard& s : shards_) {
    s.lock.reset();
    for (uint32_t i = 0; i < s.capacity && s.count; ++i) {
      if (!s.slots[i].address) continue;
      if (filter_) filter_->remove(s.slots[i].address);
      s.slots[i].address = 0;
      --s.count;
    }
  }
  dropped_.store(0, std::memory_order_relaxed);
}

}  // namespace heapdrift
