// The agent's memory of the Java methods it has already named: jmethodID -> the id of
// the method record in the JIT log and the name the perf map shows. Probed slots and a
// string arena, both on mmap'ed pages: the agent runs inside the target JVM, whose
// mallocs the shim records as the program's, so it keeps its own memory out of malloc.
//
// jmethodIDs are not forever: when a class is unloaded HotSpot frees its methods' ids
// and may hand the same slots to other methods later. The agent clears the table when
// it learns of a class unload, so that a reused id is named afresh.
//
// NB: not thread-safe; the agent serialises all use with its mutex.
#ifndef HEAPDRIFT_PERFMAP_METHOD_TABLE_H
#define HEAPDRIFT_PERFMAP_METHOD_TABLE_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "page_arena.h"
#include "probe_slots.h"

namespace heapdrift::perfmap {

class MethodTable {
 public:
  struct Entry {
    const void* key;  // the jmethodID; null marks a free slot
    uint32_t id;
    uint32_t name_length;
    const char* name;
    std::string_view name_view() const { return {name, name_length}; }
    bool free() const { return key == nullptr; }
    // jmethodIDs are pointers to 8-byte slots: drop the zero bits, then mix (Fibonacci).
    uint64_t probe_hash() const { return ((reinterpret_cast<uintptr_t>(key) >> 3) * 0x9e3779b97f4a7c15ull) >> 20; }
  };

  const Entry* find(const void* key) const;
  // Adds `key` (not present, not null) with its id and the concatenation of
  // `name_parts` as its name. Returns null when no memory could be mapped: the caller
  // then simply names the method again next time.
  const Entry* insert(const void* key, uint32_t id, std::initializer_list<std::string_view> name_parts);
  // Forgets every entry; keeps the first arena chunk and the slots for reuse.
  void clear();

  size_t size() const { return slots_.size(); }
  size_t mapped_bytes() const { return slots_.mapped_bytes() + arena_.mapped_bytes(); }

 private:
  ProbeSlots<Entry> slots_;
  PageArena arena_;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_METHOD_TABLE_H
