// One snapshot's live heap as the interchange formats need it (docs/EXPORT.md): stacks
// of code locations (an address and the frames symbolized there, inlined ones
// included), each with its estimated live bytes and objects and the sampled sizes
// behind them. Allocator frames are cut as for sites (allocator_frames.h), so every
// export shows the stacks the reports and the flamegraph show.
#ifndef HEAPDRIFT_ANALYZER_EXPORT_EXPORT_PROFILE_H
#define HEAPDRIFT_ANALYZER_EXPORT_EXPORT_PROFILE_H

#include <cstdint>
#include <map>
#include <vector>

#include "frame.h"
#include "process_history.h"
#include "snapshot.h"
#include "stack_symbolizer.h"

namespace heapdrift {

struct ExportLocation {
  uint64_t address = 0;         // a return address, as recorded; 0 when not known
  std::vector<FrameId> frames;  // innermost first: inlined functions, then the one holding the address
};

struct ExportStack {
  std::vector<ExportLocation> locations;  // innermost first; empty for samples without a stack
  double bytes = 0;    // estimated live bytes: sum of size × weight
  double objects = 0;  // estimated live objects: sum of weight
  // The samples behind the estimate: size -> how many samples of that size.
  std::map<uint64_t, uint64_t> sampled_sizes;
};

struct ExportProfile {
  ProcessInfo process;
  std::vector<Module> modules;
  std::vector<UnloadedModule> unloaded_modules;
  std::vector<Mapping> maps;
  std::vector<ExportStack> stacks;  // distinct stacks, in the order first seen
};

// Appends the mappings `m`'s segments made, as /proc/PID/maps would show them.
void add_segment_mappings(const Module& m, std::vector<Mapping>* out);

// What is mapped now: the snapshot's maps; should it have none, its modules' segments.
std::vector<Mapping> mapped_now(const ExportProfile& p);

// The unloaded modules at whose addresses nothing is mapped now (mapped_now); of two
// unloaded from the same place, the first. An export can map these as they were;
// where other code is now, it cannot.
std::vector<UnloadedModule> unreplaced_modules(const ExportProfile& p);

// Symbolizes `snapshot`'s live samples through `symbolizer` (its JIT code, if any, must
// have been given with use_jit_code) and groups them by stack. `options.depth`, when set,
// keeps the innermost `depth` frames, as for sites.
ExportProfile build_export_profile(const Snapshot& snapshot, StackSymbolizer& symbolizer,
                                   const SiteOptions& options);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_EXPORT_EXPORT_PROFILE_H
