// Where a process's RSS goes, from one snapshot: the live heap (exact, from the shim's
// counters), what the allocator holds beyond it (free and fragmented bytes, arenas),
// and the rest of the anonymous and file-backed memory (from smaps_rollup).
#ifndef HEAPDRIFT_ANALYZER_MEMORY_BREAKDOWN_H
#define HEAPDRIFT_ANALYZER_MEMORY_BREAKDOWN_H

#include <map>
#include <optional>
#include <string>

#include "snapshot.h"

namespace heapdrift {

struct MemoryBreakdown {
  std::string allocator;
  std::optional<double> rss;           // bytes
  double live_heap = 0;                // alloc_bytes − free_bytes (usable sizes)
  std::optional<double> allocator_held;  // obtained from the OS by the allocator
  std::optional<double> allocator_free;  // held but not allocated (free + fragmented)
  std::optional<double> arenas;
  std::optional<double> anonymous;     // smaps_rollup Anonymous
  std::optional<double> file_backed;   // smaps_rollup Rss − Anonymous − Shmem
};

// "Rss:  1234 kB" lines of smaps_rollup, in bytes, by field name.
std::map<std::string, double> parse_smaps_rollup(const std::string& text);

MemoryBreakdown memory_breakdown(const KeyValues& counters, const std::optional<MemoryInfo>& memory);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_MEMORY_BREAKDOWN_H
