#include "method_table.h"

#include <cstring>

namespace heapdrift::perfmap {
namespace {

constexpr size_t kInitialCapacity = 4096;

}  // namespace

MethodTable::~MethodTable() { unmap_pages(slots_, capacity_ * sizeof(Entry)); }

size_t MethodTable::slot_of(const void* key) const {
  // jmethodIDs are pointers to 8-byte slots: drop the zero bits, then mix (Fibonacci).
  uint64_t h = (reinterpret_cast<uintptr_t>(key) >> 3) * 0x9e3779b97f4a7c15ull;
  return static_cast<size_t>(h >> 20) & (capacity_ - 1);
}

const MethodTable::Entry* MethodTable::find(const void* key) const {
  if (capacity_ == 0 || key == nullptr) return nullptr;
  for (size_t i = slot_of(key);; i = (i + 1) & (capacity_ - 1)) {
    if (slots_[i].key == key) return &slots_[i];
    if (slots_[i].key == nullptr) return nullptr;
  }
}

bool MethodTable::grow() {
  size_t capacity = capacity_ == 0 ? kInitialCapacity : capacity_ * 2;
  auto* slots = static_cast<Entry*>(map_pages(capacity * sizeof(Entry)));  // zeroed
  if (!slots) return false;
  Entry* old = slots_;
  size_t old_capacity = capacity_;
  slots_ = slots;
  capacity_ = capacity;
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old[i].key == nullptr) continue;
    size_t j = slot_of(old[i].key);
    while (slots_[j].key != nullptr) j = (j + 1) & (capacity_ - 1);
    slots_[j] = old[i];
  }
  unmap_pages(old, old_capacity * sizeof(Entry));
  return true;
}

const MethodTable::Entry* MethodTable::insert(const void* key, uint32_t id,
                                              std::initializer_list<std::string_view> name_parts) {
  if (key == nullptr) return nullptr;
  if ((size_ + 1) * 2 > capacity_ && !grow()) return nullptr;  // keep the load under 1/2
  size_t length = 0;
  for (std::string_view part : name_parts) length += part.size();
  if (length > UINT32_MAX) return nullptr;
  char* name = arena_.allocate(length == 0 ? 1 : length);
  if (!name) return nullptr;
  size_t at = 0;
  for (std::string_view part : name_parts) {
    std::memcpy(name + at, part.data(), part.size());
    at += part.size();
  }
  size_t i = slot_of(key);
  while (slots_[i].key != nullptr) i = (i + 1) & (capacity_ - 1);
  slots_[i] = Entry{key, id, static_cast<uint32_t>(length), name};
  ++size_;
  return &slots_[i];
}

void MethodTable::clear() {
  if (slots_) std::memset(slots_, 0, capacity_ * sizeof(Entry));
  size_ = 0;
  arena_.reset();
}

size_t MethodTable::mapped_bytes() const {
  return capacity_ * sizeof(Entry) + arena_.mapped_bytes();
}

}  // namespace heapdrift::perfmap
