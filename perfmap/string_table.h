// The strings a JIT log session has already defined, so that class_methods records
// refer to a repeated method name or signature ("<init>", "()V") by a small id instead
// of spelling it again (docs/JITLOG.md, "String references"). An open-addressing table
// over a string arena, both on mmap'ed pages: the agent keeps its memory out of the
// malloc it runs under.
//
// NB: not thread-safe; the agent serialises all use with its mutex.
#ifndef HEAPDRIFT_PERFMAP_STRING_TABLE_H
#define HEAPDRIFT_PERFMAP_STRING_TABLE_H

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "page_arena.h"
#include "probe_slots.h"

namespace heapdrift::perfmap {

class StringTable {
 public:
  struct Entry {
    const char* data;  // null marks a free slot
    uint32_t length;
    uint32_t id;
    uint64_t hash;
    bool free() const { return data == nullptr; }
    uint64_t probe_hash() const { return hash; }
  };

  // The id of `s` when it is in the table; otherwise 0, and `s` is added with
  // `id_if_new` (nonzero) if memory can be mapped for it.
  uint32_t intern(std::string_view s, uint32_t id_if_new);
  // Forgets every string (a new session); keeps the first arena chunk and the slots.
  void clear();

 private:
  static uint64_t hash_of(std::string_view s);

  ProbeSlots<Entry> slots_;
  PageArena arena_;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_STRING_TABLE_H
