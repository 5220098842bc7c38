// The agent's memory of the Java methods it has already named: jmethodID -> the id of
// the method record in the JIT log and the name the perf map shows. An open-addressing
// table and a string arena, both on mmap'ed pages: the agent runs inside the target
// JVM, whose mallocs the shim records as the program's, so it keeps its own memory out
// of malloc.
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

namespace heapdrift::perfmap {

class MethodTable {
 public:
  struct Entry {
    const void* key;  // the jmethodID; null marks a free slot
    uint32_t id;
    uint32_t name_length;
    const char* name;
    std::string_view name_view() const { return {name, name_length}; }
  };

  MethodTable() = default;
  ~MethodTable();
  MethodTable(const MethodTable&) = delete;
  MethodTable& operator=(const MethodTable&) = delete;

  const Entry* find(const void* key) const;
  // Adds `key` (not present, not null) with its id and the concatenation of
  // `name_parts` as its name. Returns null when no memory could be mapped: the caller
  // then simply names the method again next time.
  const Entry* insert(const void* key, uint32_t id, std::initializer_list<std::string_view> name_parts);
  // Forgets every entry; keeps the first arena chunk and the slots for reuse.
  void clear();

  size_t size() const { return size_; }
  size_t mapped_bytes() const;

 private:
  bool grow();
  size_t slot_of(const void* key) const;

  Entry* slots_ = nullptr;
  size_t capacity_ = 0;  // a power of two, or 0 before the first insert
  size_t size_ = 0;
  PageArena arena_;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_METHOD_TABLE_H
