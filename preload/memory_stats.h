// Where the process's memory goes, from the outside (RSS and its anonymous, file and
// shared-memory parts) and from the allocator's own view (glibc's mallinfo2 and
// malloc_info, or jemalloc's mallctl), so that a report can tell a leak from
// fragmentation or too many arenas.
// Called on the writer thread only.
#ifndef HEAPDRIFT_PRELOAD_MEMORY_STATS_H
#define HEAPDRIFT_PRELOAD_MEMORY_STATS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace heapdrift {

struct MemoryStats {
  std::string allocator;  // "glibc", "jemalloc", "own" (the program's, see below), or "unknown"
  std::vector<std::pair<std::string, uint64_t>> values;
};

MemoryStats read_memory_stats();

// Said by the shim at start-up when the program's malloc is not the shim's (an
// allocator linked into the program): the allocator is then "own", with no figures of
// its own (glibc's would describe an allocator nobody calls).
void set_malloc_is_the_programs();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_MEMORY_STATS_H
