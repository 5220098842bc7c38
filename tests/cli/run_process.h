// Runs a program for the CLI tests: in a given directory, with a controlled
// environment (HEAPDRIFT_*, LD_PRELOAD and GLIBC_TUNABLES removed unless the test sets
// them), its stdout and stderr captured.
#ifndef HEAPDRIFT_TESTS_CLI_RUN_PROCESS_H
#define HEAPDRIFT_TESTS_CLI_RUN_PROCESS_H

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace heapdrift::test {

using EnvVars = std::map<std::string, std::string>;

class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& cwd, const EnvVars& env = {});
  ~Process();  // kills and reaps a process still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // The exit status, or 128 + the signal that ended it; -1 if it had to be killed
  // after `timeout`.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

struct Result {
  int status;
  std::string out, err;
};

Result run(const std::vector<std::string>& argv, const std::filesystem::path& cwd, const EnvVars& env = {});

// Lines of `text` (without the newlines).
std::vector<std::string> lines(const std::string& text);

}  // namespace heapdrift::test

#endif  // HEAPDRIFT_TESTS_CLI_RUN_PROCESS_H
