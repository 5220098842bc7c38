#include "string_table.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace heapdrift::perfmap {

// XXH3 rather than a byte-at-a-time hash: naming a JVM's loaded classes at start-up
// looks up every method's name and signature, and an FNV-1a loop was half of their time.
uint64_t StringTable::hash_of(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

uint32_t StringTable::intern(std::string_view s, uint32_t id_if_new) {
  uint64_t h = hash_of(s);
  if (!slots_.empty()) {
    for (size_t i = slots_.first(h);; i = slots_.next(i)) {
      const Entry& e = slots_[i];
      if (e.free()) break;
      if (e.hash == h && e.length == s.size() && std::memcmp(e.data, s.data(), s.size()) == 0) return e.id;
    }
  }
  if (s.size() > UINT32_MAX || !slots_.reserve_one()) return 0;
  char* data = arena_.allocate(s.empty() ? 1 : s.size());
  if (!data) return 0;
  std::memcpy(data, s.data(), s.size());
  slots_.place(Entry{data, static_cast<uint32_t>(s.size()), id_if_new, h});
  return 0;
}

void StringTable::clear() {
  slots_.clear();
  arena_.reset();
}

}  // namespace heapdrift::perfmap
