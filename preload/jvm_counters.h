// What a JVM counts itself of the memory it maps outside malloc (its Java heap and
// Metaspace), of its threads and of its classes, read from its hsperfdata file: the
// counters HotSpot publishes by default (-XX:+UsePerfData) for jstat and `jcmd PID
// PerfCounter.print`, so that a report can say which of them RSS growth outside malloc
// went to without the user restarting the JVM with Native Memory Tracking. HotSpot
// updates the heap and Metaspace figures at the end of each GC.
// Called on the writer thread only.
#ifndef HEAPDRIFT_PRELOAD_JVM_COUNTERS_H
#define HEAPDRIFT_PRELOAD_JVM_COUNTERS_H

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "memory_stats.h"
#include "module_map.h"

namespace heapdrift {

// Adds the jvm.* keys (docs/FORMAT.md) to `stats` when `maps` holds this process's
// hsperfdata file (HotSpot maps it: /tmp/hsperfdata_USER/PID; once the JVM removed it at
// its exit, it is read from the mapping) and it reads as one.
void add_jvm_counters(const std::vector<Mapping>& maps, MemoryStats* stats);

// The jvm.* keys of an hsperfdata file's bytes; none when they are not one. Pure, for
// tests.
std::vector<std::pair<std::string, uint64_t>> jvm_counters(std::span<const uint8_t> image);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_JVM_COUNTERS_H
