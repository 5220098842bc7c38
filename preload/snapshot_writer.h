// Writes one self-contained snapshot (docs/FORMAT.md) of a Recorder: counters, the
// allocator's view of memory, modules and mappings, every live sample and the stacks
// they refer to. Runs on the writer thread (or, without one, the exiting thread at
// exit), with the re-entrancy guard set: what it allocates passes through the hooks
// unrecorded.
// Each shard of the live table is locked only while it is copied.
#ifndef HEAPDRIFT_PRELOAD_SNAPSHOT_WRITER_H
#define HEAPDRIFT_PRELOAD_SNAPSHOT_WRITER_H

#include <atomic>
#include <cstdint>
#include <string>

#include "clock.h"
#include "memory_stats.h"
#include "recorder.h"
#include "snapshot_format.h"

namespace heapdrift {

struct ProcessIdentity {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint64_t start_wall_ns = 0;
  uint64_t start_mono_ns = 0;
};

// `dir/snap-NNNNNN.hds` for a sequence number, or `dir/.snap-NNNNNN.tmp` while written.
std::string snapshot_path(const std::string& dir, uint32_t sequence, bool temporary = false);

// Writes the snapshot to a temporary file created with O_EXCL|O_NOFOLLOW and renames it
// into place. On failure removes the temporary, writes nothing else, returns false
// with errno set by the step that failed.
// `memory` reads the allocator's figures (the exit snapshot's always).
// `mono_ns` receives the snapshot's CLOCK_MONOTONIC time. `progress`, when given, is
// bumped at each step (a shard copied, a block written), so that a waiter can tell a
// slow snapshot from a stalled one.
bool write_snapshot(Recorder& recorder, MemoryStatsReader& memory, const ProcessIdentity& process,
                    const std::string& dir, uint32_t sequence, format::Trigger trigger, uint64_t* mono_ns,
                    std::atomic<uint64_t>* progress = nullptr);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_SNAPSHOT_WRITER_H
