#include "string_table.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace heapdrift::perfmap {

// XXH3 rather than a byte-at-a-time hash: naming a JVM's loaded classes at start-up
// makes some 44,000 look-ups, and an FNV-1a loop was half of their time.
uint64_t StringTable::hash_of(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

StringTable::Entry* StringTable::find(std::string_view s) {
  if (slots_.empty()) return nullptr;
  uint64_t h = hash_of(s);
  for (size_t i = slots_.first(h);; i = slots_.next(i)) {
    Entry& e = slots_[i];
    if (e.free()) return nullptr;
    if (e.hash == h && e.length == s.size() && std::memcmp(e.data, s.data(), s.size()) == 0) return &e;
  }
}

StringTable::Entry* StringTable::insert(std::string_view s, uint32_t id) {
  if (s.size() > UINT32_MAX || !slots_.reserve_one()) return nullptr;
  char* data = arena_.allocate(s.empty() ? 1 : s.size());
  if (!data) return nullptr;
  std::memcpy(data, s.data(), s.size());
  return slots_.place(Entry{data, static_cast<uint32_t>(s.size()), id, hash_of(s), true});
}

void StringTable::clear() {
  slots_.clear();
  arena_.reset();
}

}  // namespace heapdrift::perfmap
