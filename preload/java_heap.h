// How much of a JVM's Java heap is resident. HotSpot commits its heap (-Xms, and as it
// grows) before it uses it, and a page costs RSS only once the heap first touches it:
// so a JVM's RSS climbs for hours while its heap, counted in committed bytes (hsperfdata,
// Native Memory Tracking), stays flat, until the heap has used all it committed. Where the
// heap lies, HotSpot's table for its Serviceability Agent says (gHotSpotVMStructs:
// Universe::_collectedHeap, CollectedHeap::_reserved); /proc/self/pagemap says which of
// its pages are in RAM. Not mincore, which a service manager's allow-list may kill the
// process for (tests/e2e/native/seccomp_kill.c).
// Called on the writer thread only.
#ifndef HEAPDRIFT_PRELOAD_JAVA_HEAP_H
#define HEAPDRIFT_PRELOAD_JAVA_HEAP_H

#include <cstdint>
#include <vector>

#include "memory_stats.h"
#include "module_map.h"

namespace heapdrift {

// Adds jvm.heap_resident_bytes (docs/FORMAT.md) to `stats` when `modules` holds HotSpot's
// libjvm.so and its heap is set up; jvm.heap_resident_shared_bytes for ZGC's heap, which
// is shared memory.
void add_java_heap_resident(const std::vector<Module>& modules, const std::vector<Mapping>& maps,
                            MemoryStats* stats);

// The bytes of [start, end) in RAM, over the parts that `maps` maps readable (memory
// committed; the rest of a reservation is PROT_NONE). A part unmapped since the maps
// were read counts as not in RAM, which it is not. False when pagemap cannot be read.
bool resident_bytes(uint64_t start, uint64_t end, const std::vector<Mapping>& maps, uint64_t* bytes);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_JAVA_HEAP_H
