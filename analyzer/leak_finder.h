// `heapdrift leaks` for one process: every site judged (leak_rank.h), the suspects
// ranked, and what the snapshots say about RSS beyond the heap.
#ifndef HEAPDRIFT_ANALYZER_LEAK_FINDER_H
#define HEAPDRIFT_ANALYZER_LEAK_FINDER_H

#include <optional>
#include <string>
#include <vector>

#include "code_growth.h"
#include "leak_rank.h"
#include "memory_breakdown.h"
#include "process_history.h"

namespace heapdrift {

struct Suspect {
  size_t site;  // index into ProcessHistory::sites
  Verdict verdict;
};

// RSS against the live heap over the run, from the first to the last snapshot judged.
struct MemoryTrend {
  double rss_first = 0, rss_last = 0;    // bytes; 0 when not recorded
  // The live heap: the shim's exact count or the allocator's figure, or, where either
  // snapshot lacks one, both estimated from the samples.
  double heap_first = 0, heap_last = 0;
  bool heap_estimated = false;
  std::optional<std::string> note;       // set when RSS grew and the heap did not...
  bool saw_no_allocation = false;        // ...or when no malloc call reached the shim
  // A JVM's own counters at the first and the last snapshot judged that have them, from
  // the first where Metaspace is counted (after the first GC) when two are; else
  // Metaspace is 0 in both: not counted.
  std::optional<JvmSpaces> jvm_first, jvm_last;
  // A JIT's code: the anonymous executable memory mapped (jit_code_mapped_bytes), and a
  // JVM's compiled Java code alive when its JIT log was recorded.
  double jit_code_mapped_first = 0, jit_code_mapped_last = 0;
  std::optional<CompiledCodeBytes> compiled_code;
  // Threads' stacks mapped (thread_stacks_mapped) and the threads running, when the
  // snapshots have the count (process_threads, from shims since 2026-12-06).
  ThreadStacks stacks_first, stacks_last;
  std::optional<double> threads_first, threads_last;
};

// A site whose live bytes grew over the run by much more than their sampling error,
// yet failed the leak test: shown apart, with why, so that large growth is never
// silent (a buffer grown by realloc is one block at a time, which the test cannot tell
// from a structure that has reached its working size).
struct GrowingSite {
  size_t site;                 // index into ProcessHistory::sites
  double first = 0, last = 0;  // estimated live bytes at the first and last snapshot judged
  double peak = 0;             // and the most in between
  size_t blocks = 0;           // samples live at the last, and of those...
  size_t large_blocks = 0;     // ...the ones sampled for sure (the estimate is their size)
  std::string reason;          // why the test did not call it a leak
};

// A leak spread over sites that share their caller (caller_leaks.h), none of them a
// suspect on its own.
struct CallerLeak {
  FrameId caller;             // the Java method or script function the sites share
  std::vector<size_t> sites;  // into ProcessHistory::sites, the largest growth first
  std::vector<double> growth; // each site's, over the snapshots judged
  Verdict verdict;            // of the sites' samples together
};

struct ProcessLeaks {
  ProcessHistory history;
  // The snapshots the leak test used, from the first: all, or all but the exit
  // snapshot and any that caught a slow teardown under way (docs/LEAK_RANKING.md).
  // Suspects' estimates cover all.
  size_t judged_snapshots = 0;
  std::vector<Suspect> suspects;  // strongest evidence first
  std::vector<CallerLeak> caller_leaks;  // strongest evidence first
  std::vector<GrowingSite> growing;  // largest growth first; outputs show kMaxGrowing
  static constexpr size_t kMaxGrowing = 3;
  double detection_floor = 0;     // bytes/s; +inf with fewer than 3 snapshots
  MemoryTrend memory;             // over the snapshots judged
  std::vector<CodeGrowth> code_growth;  // most versions first (code_growth.h)
};

// `code`: the process's JIT code as the symbolizer read it (StackSymbolizer::jit_code),
// or null; from a JIT log, it gives the compiled code's growth.
ProcessLeaks find_leaks(ProcessHistory history, const LeakCriteria& criteria,
                        const perfmap::JitCodeMap* code = nullptr);

// Appends to `v` the estimates of `sites` together at the snapshots the test left out
// (the verdict covers the judged ones): what is shown runs over every snapshot.
void extend_to_every_snapshot(Verdict& v, const ProcessHistory& h, size_t judged_snapshots,
                              const std::vector<size_t>& sites);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_LEAK_FINDER_H
