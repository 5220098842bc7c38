// recording.json, which `heapdrift record` writes at the top of a recording directory
// (docs/FORMAT.md): which process it started, with what command and settings.
#ifndef HEAPDRIFT_ANALYZER_RECORDING_INFO_H
#define HEAPDRIFT_ANALYZER_RECORDING_INFO_H

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace heapdrift {

// what() is one line: "<file or directory>: <what is wrong>".
class RecordingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RecordingInfo {
  uint32_t version = 1;
  uint32_t main_pid = 0;
  std::vector<std::string> command;
  uint64_t start_wall_ns = 0;
  uint64_t sample_rate = 0;  // bytes; 1 = every allocation
  uint64_t interval_ms = 0;  // 0 = snapshots only on demand and at exit

  bool operator==(const RecordingInfo&) const = default;
};

// Reads and checks `file`; version and main_pid are required, the rest default to 0.
RecordingInfo read_recording_info(const std::filesystem::path& file);

// Writes DIR/recording.json atomically (a temporary file renamed into place), so a
// reader never sees half of it.
void write_recording_info(const std::filesystem::path& dir, const RecordingInfo& info);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_RECORDING_INFO_H
