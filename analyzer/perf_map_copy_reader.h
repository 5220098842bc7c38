// Reads the recording's copy of a JIT's perf map (DIR/PID/perf.map, written by the shim:
// preload/perf_map_copy.h, docs/FORMAT.md): the batches of lines copied for one program,
// oldest first, each with the time it was copied.
#ifndef HEAPDRIFT_ANALYZER_PERF_MAP_COPY_READER_H
#define HEAPDRIFT_ANALYZER_PERF_MAP_COPY_READER_H

#include <cstdint>
#include <filesystem>
#include <vector>

#include "perf_map_reader.h"

namespace heapdrift {

struct PerfMapBatch {
  uint64_t copied_ns = 0;  // CLOCK_MONOTONIC, the samples' clock
  perfmap::PerfMap map;
};

// The batches copied for the program started at `start_mono_ns` (an exec'd program
// shares the file with the one before). A last line without its newline is one the
// shim is writing, and is left out. Throws std::runtime_error naming the file and
// line for an unreadable file, a malformed batch header or a malformed perf-map line.
std::vector<PerfMapBatch> read_perf_map_copy(const std::filesystem::path& path, uint64_t start_mono_ns);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_PERF_MAP_COPY_READER_H
