// One process's snapshots turned into what the analysis needs: the allocation sites
// (stacks symbolized, allocator frames cut, grouped by their chain of functions), and
// for each site every sample followed across the snapshots it was live in.
//
// Memory grows with the distinct samples and stacks of the process, not with the
// number of snapshots: a snapshot is read, folded in, and dropped.
#ifndef HEAPDRIFT_ANALYZER_PROCESS_HISTORY_H
#define HEAPDRIFT_ANALYZER_PROCESS_HISTORY_H

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "allocator_frames.h"
#include "frame.h"
#include "leak_rank.h"
#include "memory_breakdown.h"
#include "snapshot.h"
#include "stack_symbolizer.h"

namespace heapdrift {

struct SiteOptions {
  const AllocatorFrames* allocator_frames = nullptr;
  unsigned depth = 0;  // group sites by their innermost `depth` frames; 0 = all
};

// What a snapshot says besides its samples.
struct SnapshotSummary {
  std::filesystem::path path;
  ProcessInfo process;
  KeyValues counters;
  std::optional<MemoryInfo> memory;
  uint64_t jit_code_mapped = 0;  // jit_code_mapped_bytes of its maps
  ThreadStacks thread_stacks;    // thread_stacks_mapped of its maps
};

struct SiteHistory {
  std::vector<FrameId> frames;  // innermost first, allocator frames cut (the first stack seen)
  std::vector<TrackedSample> samples;
};

// A site's live samples in snapshot k: the estimated bytes, their sampling variance,
// and how many samples.
struct LiveTotals {
  double bytes = 0, variance = 0, samples = 0;
};
LiveTotals live_at(const SiteHistory& site, uint32_t k);

struct ProcessHistory {
  uint32_t pid = 0;
  std::string command;  // the process's arguments, joined by spaces
  uint64_t sample_rate = 0;
  Timeline timeline;
  std::vector<SnapshotSummary> snapshots;
  std::vector<SiteHistory> sites;
  // Snapshots of programs the process ran before an exec (same pid, earlier start):
  // skipped, since only the last program's heap is analysed.
  size_t skipped_before_exec = 0;
  // The shim walked its stacks by frame pointers alone (counter frame_pointers_only).
  bool frame_pointers_only = false;
};

// What frame_pointers_only means for the stacks shown, one sentence.
extern const char* const kFramePointersOnlyNote;

// The identity of a site: its chain of function names (with their modules), so that
// the same code reached at other offsets, or compiled anew, is one site.
std::string site_key(const std::vector<FrameId>& frames, const FrameTable& table);

// Reads `files` (snapshots of one process, oldest first) and folds them into sites.
// Throws SnapshotError on an unreadable file, std::runtime_error if the files do not
// belong to one process (an exec, seen as a later start under the same pid, starts
// the history anew).
ProcessHistory load_history(const std::vector<std::filesystem::path>& files, StackSymbolizer& symbolizer,
                            const SiteOptions& options);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_PROCESS_HISTORY_H
