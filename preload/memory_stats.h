// Where the process's memory goes, from the outside (RSS and its anonymous, file and
// shared-memory parts) and from the allocator's own view (glibc's malloc_info, or
// jemalloc's mallctl), so that a report can tell a leak from fragmentation or too many
// arenas.
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

// glibc's figures cost a walk: malloc_info counts every free chunk of every arena, each
// arena under its lock, and a thread that allocates in that arena meanwhile waits for
// it (~0.3 µs a free chunk here: 30 ms for an arena of 100,000, snapshot_pause.cpp's
// --fragment). So once a walk has taken more than kWalkBudgetNs of the writer's CPU,
// only the exit snapshot walks again: the others leave glibc's figures out and say
// how long that walk took (docs/FORMAT.md, "Memory").
class MemoryStatsReader {
 public:
  static constexpr uint64_t kWalkBudgetNs = 1000000;
  MemoryStats read(bool at_exit);

 private:
  uint64_t slow_walk_ns_ = 0;  // the walk that went over the budget
};

// Said by the shim at start-up when the program's malloc is not the shim's (an
// allocator linked into the program): the allocator is then "own", with no figures of
// its own (glibc's would describe an allocator nobody calls).
void set_malloc_is_the_programs();

// Looks up the allocator's query function (jemalloc's mallctl) with dlsym, which takes
// the loader's lock: called at start-up (lifecycle.cpp says why); else done by the
// first read().
void find_allocator_queries();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_MEMORY_STATS_H
