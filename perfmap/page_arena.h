// Memory for the agent's tables, on mmap'ed pages: the agent runs inside the target
// JVM, whose mallocs the shim records as the program's, so it keeps its own memory out
// of malloc. map_pages gives zeroed pages (open-addressing slot arrays); a PageArena
// hands out bytes from 256 KiB chunks (the strings the tables point to).
//
// NB: not thread-safe; the agent serialises all use with its mutex.
#ifndef HEAPDRIFT_PERFMAP_PAGE_ARENA_H
#define HEAPDRIFT_PERFMAP_PAGE_ARENA_H

#include <cstddef>

namespace heapdrift::perfmap {

// Zeroed pages, or null.
void* map_pages(size_t size);
void unmap_pages(void* p, size_t size);

class PageArena {
 public:
  PageArena() = default;
  ~PageArena();
  PageArena(const PageArena&) = delete;
  PageArena& operator=(const PageArena&) = delete;

  // n bytes (not zeroed once reset), or null when no memory could be mapped.
  char* allocate(size_t n);
  // Forgets every allocation; keeps the oldest chunk for reuse, unmaps the others.
  void reset();
  size_t mapped_bytes() const;

 private:
  struct Chunk {
    Chunk* next;
    size_t size;  // bytes mapped, this header included
    size_t used;
  };
  Chunk* chunks_ = nullptr;  // newest first
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_PAGE_ARENA_H
