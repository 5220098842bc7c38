// Test side, for the tests that run a real JVM: where the JDK, the compiled Java test
// programs and the agent are (paths compiled in by CMake), and small helpers around
// what a JVM run leaves behind. Programs are run with shimtest::run_program
// (tests/shim/support): hard timeout, clean environment, output captured.
#ifndef HEAPDRIFT_TESTS_PERFMAP_JVM_SUPPORT_H
#define HEAPDRIFT_TESTS_PERFMAP_JVM_SUPPORT_H

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shim_run.h"

namespace perfmaptest {

std::string java();             // the `java` launcher
std::string jcmd();             // the JDK's jcmd
std::string agent();            // libheapdrift_jvmti.so under test
std::string classes();          // where CMake compiled tests/perfmap/java
std::filesystem::path java_source(const std::string& file);  // tests/perfmap/java/<file>

// The line of `file` (in tests/perfmap/java) that ends with "// @line <marker>".
// Throws if there is not exactly one.
uint32_t marked_line(const std::string& file, const std::string& marker);

// The one process directory (named by a pid) that a run left in `out_dir`.
std::filesystem::path process_dir(const std::filesystem::path& out_dir);
pid_t pid_of(const std::filesystem::path& process_dir);

// /tmp/perf-<pid>.map, and its removal (the tests clean up after the JVMs they ran).
std::filesystem::path perf_map_path(pid_t pid);
class PerfMapFile {
 public:
  explicit PerfMapFile(pid_t pid) : path_(perf_map_path(pid)) {}
  ~PerfMapFile();
  PerfMapFile(const PerfMapFile&) = delete;
  PerfMapFile& operator=(const PerfMapFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

uint64_t monotonic_ns();

}  // namespace perfmaptest

#endif  // HEAPDRIFT_TESTS_PERFMAP_JVM_SUPPORT_H
