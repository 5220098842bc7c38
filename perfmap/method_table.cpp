#include "method_table.h"

#include <cstring>

namespace heapdrift::perfmap {

const MethodTable::Entry* MethodTable::find(const void* key) const {
  if (slots_.empty() || key == nullptr) return nullptr;
  for (size_t i = slots_.first(Entry{key, 0, 0, nullptr}.probe_hash());; i = slots_.next(i)) {
    if (slots_[i].key == key) return &slots_[i];
    if (slots_[i].free()) return nullptr;
  }
}

const MethodTable::Entry* MethodTable::insert(const void* key, uint32_t id,
                                              std::initializer_list<std::string_view> name_parts) {
  if (key == nullptr || !slots_.reserve_one()) return nullptr;
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
  return slots_.place(Entry{key, id, static_cast<uint32_t>(length), name});
}

void MethodTable::clear() {
  slots_.clear();
  arena_.reset();
}

}  // namespace heapdrift::perfmap
