#include "string_table.h"

#include <cstring>

namespace heapdrift::perfmap {
namespace {

constexpr size_t kInitialCapacity = 4096;

}  // namespace

StringTable::~StringTable() { unmap_pages(slots_, capacity_ * sizeof(Entry)); }

uint64_t StringTable::hash_of(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

StringTable::Entry* StringTable::find(std::string_view s) {
  if (capacity_ == 0) return nullptr;
  uint64_t h = hash_of(s);
  for (size_t i = h & (capacity_ - 1);; i = (i + 1) & (capacity_ - 1)) {
    Entry& e = slots_[i];
    if (!e.data) return nullptr;
    if (e.hash == h && e.length == s.size() && std::memcmp(e.data, s.data(), s.size()) == 0) return &e;
  }
}

bool StringTable::grow() {
  size_t capacity = capacity_ == 0 ? kInitialCapacity : capacity_ * 2;
  auto* slots = static_cast<Entry*>(map_pages(capacity * sizeof(Entry)));  // zeroed
  if (!slots) return false;
  Entry* old = slots_;
  size_t old_capacity = capacity_;
  slots_ = slots;
  capacity_ = capacity;
  for (size_t i = 0; i < old_capacity; ++i) {
    if (!old[i].data) continue;
    size_t j = old[i].hash & (capacity_ - 1);
    while (slots_[j].data) j = (j + 1) & (capacity_ - 1);
    slots_[j] = old[i];
  }
  unmap_pages(old, old_capacity * sizeof(Entry));
  return true;
}

StringTable::Entry* StringTable::insert(std::string_view s, uint32_t id) {
  if (s.size() > UINT32_MAX) return nullptr;
  if ((size_ + 1) * 2 > capacity_ && !grow()) return nullptr;  // keep the load under 1/2
  char* data = arena_.allocate(s.empty() ? 1 : s.size());
  if (!data) return nullptr;
  std::memcpy(data, s.data(), s.size());
  uint64_t h = hash_of(s);
  size_t i = h & (capacity_ - 1);
  while (slots_[i].data) i = (i + 1) & (capacity_ - 1);
  slots_[i] = Entry{data, static_cast<uint32_t>(s.size()), id, h, true};
  ++size_;
  return &slots_[i];
}

void StringTable::clear() {
  if (slots_) std::memset(slots_, 0, capacity_ * sizeof(Entry));
  size_ = 0;
  arena_.reset();
}

size_t StringTable::mapped_bytes() const {
  return capacity_ * sizeof(Entry) + arena_.mapped_bytes();
}

}  // namespace heapdrift::perfmap
