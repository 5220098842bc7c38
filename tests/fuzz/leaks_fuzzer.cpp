// What `heapdrift leaks` does with a process's snapshots, on damaged ones: the input
// is up to four snapshot files, separated by kSeparator, each checksummed
// (checksummed.h) and written to a directory of their own; they are read into a
// process history, judged, and the verdicts printed as text and JSON. Symbolization
// looks under a root that does not exist, so that no file of this machine is read
// and every frame stays an address. The errors `leaks` reports and exits with
// (SnapshotError, std::runtime_error for files of several processes) are accepted;
// anything else is a finding.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "allocator_frames.h"
#include "caller_leaks.h"
#include "checksummed.h"
#include "leak_finder.h"
#include "leaks_output.h"
#include "process_history.h"
#include "snapshot_reader.h"
#include "stack_symbolizer.h"

namespace {

using namespace heapdrift;

constexpr std::string_view kSeparator = "\n--heapdrift-fuzz-next-snapshot--\n";

const std::filesystem::path& directory() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("heapdrift-fuzz-leaks-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::filesystem::path> files;
  for (size_t pos = 0; pos <= input.size() && files.size() < 4;) {
    size_t next = input.find(kSeparator, pos);
    if (next == std::string_view::npos) next = input.size();
    std::string_view part = input.substr(pos, next - pos);
    std::vector<uint8_t> file = fuzz::checksummed({reinterpret_cast<const uint8_t*>(part.data()), part.size()});
    files.push_back(directory() / ("snap-00000" + std::to_string(files.size() + 1) + ".hds"));
    std::ofstream(files.back(), std::ios::binary).write(reinterpret_cast<const char*>(file.data()), file.size());
    pos = next + kSeparator.size();
  }

  symbolizer::Options nowhere;
  nowhere.sysroot = "/nonexistent-heapdrift-fuzz-root";
  nowhere.system_debug_dir = false;
  nowhere.debuginfod = false;
  FrameTable frames;
  StackSymbolizer symbolizer(nowhere, frames);
  const AllocatorFrames allocator_frames({});
  try {
    std::vector<ProcessLeaks> processes;
    processes.push_back(find_leaks(load_history(files, symbolizer, {&allocator_frames, 0}), LeakCriteria{}));
    find_caller_leaks(processes.back(), frames, LeakCriteria{});
    static std::FILE* sink = std::fopen("/dev/null", "w");
    print_leaks(sink, processes, frames, 10);
    // As `leaks --json` dumps it.
    leaks_json(processes, frames, 10).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::runtime_error&) {  // SnapshotError, or files of several processes
  }
  for (const auto& f : files) std::filesystem::remove(f);
  return 0;
}
