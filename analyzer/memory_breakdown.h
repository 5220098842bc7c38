// Where a process's RSS goes, from one snapshot: the live heap (exact, from the shim's
// counters in exact mode, else from the allocator's own statistics), what the allocator
// holds beyond it (free and fragmented bytes, arenas), and the rest of the anonymous
// and file-backed memory (the kernel's RSS counters; smaps_rollup in older snapshots).
#ifndef HEAPDRIFT_ANALYZER_MEMORY_BREAKDOWN_H
#define HEAPDRIFT_ANALYZER_MEMORY_BREAKDOWN_H

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "snapshot.h"

namespace heapdrift {

// What a JVM counts itself (the shim's jvm.* keys, from its hsperfdata file): its memory
// outside malloc as of its last GC, its threads and classes; and what of its heap is
// resident, which the shim measures (docs/FORMAT.md).
struct JvmSpaces {
  // The JVM's hsperfdata counters, the four figures below; a JVM run with
  // -XX:-UsePerfData has none, and only the shim's measures of its heap (then zeros).
  bool counters = true;
  double heap_committed = 0;       // the Java heap's generations
  double metaspace_committed = 0;  // class metadata, the compressed class space included
  double threads = 0;
  double classes = 0;  // loaded and not unloaded, as HotSpot counts them (redefinitions too)
  // The heap's pages in RAM at the snapshot: what of its committed bytes the heap has
  // used so far (the shim's jvm.heap_resident_bytes; none where the shim did not find the
  // heap, or in older snapshots).
  std::optional<double> heap_resident;
  // ZGC's heap, which is shared memory: its pages in RAM as RSS counts them, each of its
  // views (JDK 17 maps it three times) counted (jvm.heap_resident_shared_bytes).
  std::optional<double> heap_resident_shared;
};

struct MemoryBreakdown {
  std::string allocator;
  std::optional<double> rss;           // bytes
  std::optional<double> live_heap;     // see live_heap_bytes
  bool live_heap_exact = false;        // from the shim's counters
  std::optional<double> allocator_held;  // obtained from the OS by the allocator
  std::optional<double> allocator_free;  // held but not allocated (free + fragmented)
  std::optional<double> arenas;
  // glibc's figures left out of the snapshot: the CPU time (µs) of the earlier walk of
  // its arenas that went over the shim's budget (docs/FORMAT.md, "Memory").
  std::optional<double> allocator_left_out_us;
  std::optional<double> anonymous;     // RssAnon
  std::optional<double> file_backed;   // RssFile + RssShmem: the rest of RSS
};

// "Rss:  1234 kB" lines of smaps_rollup, in bytes, by field name.
std::map<std::string, double> parse_smaps_rollup(const std::string& text);

// Bytes allocated and not freed: alloc_bytes − free_bytes (usable sizes) where the shim
// counted bytes (exact mode only), else what the allocator reports in use (glibc:
// in_use + mmap; jemalloc: allocated); nullopt when neither is known.
std::optional<double> live_heap_bytes(const KeyValues& counters, const std::optional<MemoryInfo>& memory);

MemoryBreakdown memory_breakdown(const KeyValues& counters, const std::optional<MemoryInfo>& memory);

// What of the allocator's memory is surely not resident (not written yet, or given back):
// what it holds beyond the anonymous memory resident, less `resident_elsewhere` (known to
// be outside it: a Java heap's pages). A block allocated whole and filled as it is used
// counts in the live heap, and in RSS only as it is written. 0 without the figures.
double allocator_not_resident(const MemoryBreakdown& m, double resident_elsewhere = 0);

// Why a snapshot has none of glibc's figures, given allocator_left_out_us.
std::string allocator_left_out_reason(double walk_us);

// A JVM's own counters, when the snapshot has them.
std::optional<JvmSpaces> jvm_spaces(const std::optional<MemoryInfo>& memory);

// Anonymous executable memory mapped: where a JIT puts its code (a JVM's code cache).
// HotSpot commits its code cache as code fills it and never gives it back: this is its
// high-water mark, and its resident part came within a fifth of it in the runs measured
// (docs/LEAK_RANKING.md). A Node.js 18 run that compiled thousands of functions had
// 240 KiB there throughout.
uint64_t jit_code_mapped_bytes(const std::vector<Mapping>& maps);

// Threads' stacks mapped: an anonymous read-write mapping right above an inaccessible
// one of 64 KiB or less, its guard (glibc's page, or HotSpot's guard zones). The main
// thread's, named [stack], is not among them. A thread that ended keeps its stack
// until it is joined (or, detached, until it ends); glibc then keeps up to 40 MiB of
// them for reuse.
struct ThreadStacks {
  uint64_t count = 0;
  uint64_t bytes = 0;  // their size, guards included
};
ThreadStacks thread_stacks_mapped(const std::vector<Mapping>& maps);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_MEMORY_BREAKDOWN_H
