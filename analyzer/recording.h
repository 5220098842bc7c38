// A recording directory (docs/FORMAT.md): recording.json plus one subdirectory per
// process, named by its pid, holding snap-NNNNNN.hds files. Listing only: snapshots
// are read on demand with read_snapshot().
#ifndef HEAPDRIFT_ANALYZER_RECORDING_H
#define HEAPDRIFT_ANALYZER_RECORDING_H

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "recording_info.h"

namespace heapdrift {

struct SnapshotFile {
  uint64_t number = 0;  // NNNNNN of snap-NNNNNN.hds; gaps appear when the series is thinned
  std::filesystem::path path;
};

struct ProcessRecording {
  uint32_t pid = 0;
  std::filesystem::path dir;
  std::vector<SnapshotFile> snapshots;  // by number, oldest first; may be empty
};

struct Recording {
  std::filesystem::path dir;
  std::optional<RecordingInfo> info;        // absent when the shim was preloaded by hand
  std::vector<ProcessRecording> processes;  // by pid
  // recording.json's main_pid; without it, the process whose shim started first.
  // Empty when neither is known (no recording.json and no readable snapshot).
  std::optional<uint32_t> main_pid;

  const ProcessRecording* find(uint32_t pid) const;
  const ProcessRecording* main_process() const;  // nullptr if it wrote nothing
};

// Lists DIR. Throws RecordingError if DIR cannot be listed or recording.json is invalid.
Recording read_recording(const std::filesystem::path& dir);

// The snapshots in one process's directory, by number. Temporary files
// (.snap-NNNNNN.tmp), the control FIFO and anything else are ignored.
std::vector<SnapshotFile> list_snapshots(const std::filesystem::path& process_dir);

// NNNNNN if `file_name` is snap-NNNNNN.hds (any number of digits), else nothing.
std::optional<uint64_t> snapshot_number(std::string_view file_name);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_RECORDING_H
