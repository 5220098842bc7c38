// Runs a shell command for the end-to-end tests: its exit status (128+signal when
// killed) and its standard output; standard error is dropped.
#ifndef HEAPDRIFT_TESTS_E2E_RUN_COMMAND_H
#define HEAPDRIFT_TESTS_E2E_RUN_COMMAND_H

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace heapdrift::e2e {

struct Result {
  int status;
  std::string out;
};

inline Result run(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return {-1, ""};
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

}  // namespace heapdrift::e2e

#endif  // HEAPDRIFT_TESTS_E2E_RUN_COMMAND_H
