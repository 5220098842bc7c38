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

namespace heapdrift::perfmap {

class StringTable {
 public:
  StringTable() = default;
  ~StringTable();
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;

  struct Entry {
    const char* data;  // null marks a free slot
    uint32_t length;
    uint32_t id;
    uint64_t hash;
    bool pending;  // defined by the record being written, not yet written out
  };

  // The entry of `s`, or null.
  Entry* find(std::string_view s);
  // Adds `s` (not present) with `id`, pending. Null when no memory could be mapped.
  Entry* insert(std::string_view s, uint32_t id);
  // Forgets every string (a new session); keeps the first arena chunk and the slots.
  void clear();

  size_t size() const { return size_; }
  size_t mapped_bytes() const;

 private:
  static uint64_t hash_of(std::string_view s);
  bool grow();

  Entry* slots_ = nullptr;
  size_t capacity_ = 0;  // a power of two, or 0 before the first insert
  size_t size_ = 0;
  PageArena arena_;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_STRING_TABLE_H
