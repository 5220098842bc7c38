// The slot array under the agent's two tables (MethodTable, StringTable): open
// addressing with linear probing, kept under half full, on zeroed mmap'ed pages (the
// agent keeps its memory out of the malloc it runs under). Each table keeps its own
// key comparison; `Entry` says whether a slot is free (`free()`) and where its probe
// starts (`probe_hash()`, masked here).
//
// NB: not thread-safe; the agent serialises all use with its mutex.
#ifndef HEAPDRIFT_PERFMAP_PROBE_SLOTS_H
#define HEAPDRIFT_PERFMAP_PROBE_SLOTS_H

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "page_arena.h"

namespace heapdrift::perfmap {

template <class Entry>
class ProbeSlots {
 public:
  ProbeSlots() = default;
  ~ProbeSlots() { unmap_pages(slots_, capacity_ * sizeof(Entry)); }
  ProbeSlots(const ProbeSlots&) = delete;
  ProbeSlots& operator=(const ProbeSlots&) = delete;

  bool empty() const { return capacity_ == 0; }
  size_t size() const { return size_; }
  size_t mapped_bytes() const { return capacity_ * sizeof(Entry); }

  // The probe for `hash`: its first slot, then next() until a free one.
  size_t first(uint64_t hash) const { return hash & (capacity_ - 1); }
  size_t next(size_t i) const { return (i + 1) & (capacity_ - 1); }
  Entry& operator[](size_t i) { return slots_[i]; }
  const Entry& operator[](size_t i) const { return slots_[i]; }

  // Room for one more entry: grows when the load would pass 1/2. False when no memory
  // could be mapped.
  bool reserve_one() { return (size_ + 1) * 2 <= capacity_ || grow(); }
  // Puts `e` (whose key is not present) in the first free slot of its probe.
  Entry* place(const Entry& e) {
    size_t i = first(e.probe_hash());
    while (!slots_[i].free()) i = next(i);
    slots_[i] = e;
    ++size_;
    return &slots_[i];
  }
  // Frees every slot; keeps the array for reuse.
  void clear() {
    if (slots_) std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(Entry));
    size_ = 0;
  }

 private:
  static constexpr size_t kInitialCapacity = 4096;

  bool grow() {
    size_t capacity = capacity_ == 0 ? kInitialCapacity : capacity_ * 2;
    auto* slots = static_cast<Entry*>(map_pages(capacity * sizeof(Entry)));  // zeroed
    if (!slots) return false;
    Entry* old = slots_;
    size_t old_capacity = capacity_;
    slots_ = slots;
    capacity_ = capacity;
    size_ = 0;
    for (size_t i = 0; i < old_capacity; ++i) {
      if (!old[i].free()) place(old[i]);
    }
    unmap_pages(old, old_capacity * sizeof(Entry));
    return true;
  }

  Entry* slots_ = nullptr;
  size_t capacity_ = 0;  // a power of two, or 0 before the first entry
  size_t size_ = 0;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_PROBE_SLOTS_H
