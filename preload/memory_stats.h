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
  std::string allocator;  // "glibc", "jemalloc", or "unknown"
  std::vector<std::pair<std::string, uint64_t>> values;
};

MemoryStats read_memory_stats();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_MEMORY_STATS_H
