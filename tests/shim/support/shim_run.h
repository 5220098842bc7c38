// Test-driver side: runs a program under the real shim with a hard timeout, and a
// scratch directory per test.
#ifndef HEAPDRIFT_TESTS_SHIM_SHIM_RUN_H
#define HEAPDRIFT_TESTS_SHIM_SHIM_RUN_H

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace shimtest {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

struct RunResult {
  pid_t pid = -1;
  bool timed_out = false;
  int exit_code = -1;    // when it exited
  int term_signal = 0;   // when a signal killed it
  double seconds = 0;
  std::string out, err;  // everything it wrote on stdout and stderr

  bool exited_with(int code) const { return !timed_out && term_signal == 0 && exit_code == code; }
  // One line for assertion messages: how it ended, and the tail of its stderr.
  std::string describe() const;
};

// Runs argv[0] (a path) with the test's environment minus LD_PRELOAD and every
// HEAPDRIFT_* variable, plus `env` (a later setting of a variable wins). stdout and
// stderr go to files in `scratch`; no other descriptor is inherited. The program runs in its own process group; past
// `timeout_s` the whole group is killed with SIGKILL and `timed_out` set. Whatever is
// left of the group after the program exits is killed too, so a hung grandchild never
// outlives the test.
RunResult run_program(const std::vector<std::string>& argv, const EnvVars& env, double timeout_s,
                      const std::filesystem::path& scratch);

// A fresh directory under $TMPDIR (or /tmp); removed when the test passed, kept and
// named on stderr when it failed.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace shimtest

#endif  // HEAPDRIFT_TESTS_SHIM_SHIM_RUN_H
