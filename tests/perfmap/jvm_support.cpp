#include "jvm_support.h"

#include <time.h>

#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace perfmaptest {

std::string java() { return PERFMAP_TEST_JAVA; }
std::string jcmd() { return PERFMAP_TEST_JCMD; }
std::string agent() { return PERFMAP_TEST_AGENT; }
std::string classes() { return PERFMAP_TEST_CLASSES; }
fs::path java_source(const std::string& file) { return fs::path(PERFMAP_TEST_JAVA_SOURCES) / file; }

uint32_t marked_line(const std::string& file, const std::string& marker) {
  std::ifstream in(java_source(file));
  if (!in) throw std::runtime_error("cannot read " + java_source(file).string());
  const std::string suffix = "// @line " + marker;
  std::string line;
  uint32_t number = 0, found = 0, count = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.ends_with(suffix)) {
      found = number;
      ++count;
    }
  }
  if (count != 1) throw std::runtime_error(file + ": " + std::to_string(count) + " lines marked '" + marker + "'");
  return found;
}

fs::path process_dir(const fs::path& out_dir) {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(out_dir)) {
    if (e.is_directory()) dirs.push_back(e.path());
  }
  if (dirs.size() != 1) {
    throw std::runtime_error(out_dir.string() + " holds " + std::to_string(dirs.size()) + " process directories");
  }
  return dirs[0];
}

pid_t pid_of(const fs::path& process_dir) { return static_cast<pid_t>(std::stol(process_dir.filename().string())); }

fs::path perf_map_path(pid_t pid) { return "/tmp/perf-" + std::to_string(pid) + ".map"; }

PerfMapFile::~PerfMapFile() {
  std::error_code ec;
  fs::remove(path_, ec);
}

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace perfmaptest
