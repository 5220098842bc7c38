#include "shim_run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace shimtest {
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool inherited(const char* entry) {
  return strncmp(entry, "LD_PRELOAD=", 11) != 0 && strncmp(entry, "HEAPDRIFT_", 10) != 0;
}

}  // namespace

std::string RunResult::describe() const {
  std::ostringstream s;
  if (timed_out) s << "TIMED OUT after " << seconds << " s";
  else if (term_signal) s << "killed by signal " << term_signal << " (" << strsignal(term_signal) << ")";
  else s << "exited with " << exit_code;
  std::string tail = err.size() > 2000 ? "..." + err.substr(err.size() - 2000) : err;
  s << "; pid " << pid << "; stderr: [" << tail << "]";
  return s.str();
}

RunResult run_program(const std::vector<std::string>& argv, const EnvVars& env, double timeout_s,
                      const fs::path& scratch) {
  static std::atomic<int> counter{0};
  const int n = counter++;
  const fs::path out_path = scratch / ("run" + std::to_string(n) + ".out");
  const fs::path err_path = scratch / ("run" + std::to_string(n) + ".err");

  // Everything the child needs is built before fork: the test binary may be threaded.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (inherited(*e)) env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : env) {  // a later setting of a variable replaces an earlier one
    const std::string prefix = k + "=";
    std::erase_if(env_strings, [&](const std::string& e) { return e.starts_with(prefix); });
    env_strings.push_back(k + "=" + v);
  }
  std::vector<char*> envp, args;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot create output files in " + scratch.string());

  RunResult r;
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    setpgid(0, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    close_range(3, ~0U, 0);  // the program starts with 0, 1 and 2 only, as from a service manager
    execve(args[0], args.data(), envp.data());
    const char msg[] = "run_program: exec failed\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(127);
  }
  setpgid(pid, pid);  // also here: whichever runs first
  close(out_fd);
  close(err_fd);
  r.pid = pid;

  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + strerror(errno));
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed.count() > timeout_s) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(-pid, SIGKILL);  // stragglers of the group (hung children), if any
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.timed_out) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
  }
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

ScratchDir::ScratchDir() {
  const char* tmp = getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/heapdrift-shimtest-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp " + templ + ": " + strerror(errno));
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  if (::testing::Test::HasFailure()) {
    fprintf(stderr, "(scratch directory kept: %s)\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace shimtest
