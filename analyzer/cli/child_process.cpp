#include "child_process.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace heapdrift::cli {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGHUP};
// SIGINT and SIGQUIT as system(3) does; SIGPIPE so that a child gone before start()
// reads its variables cannot kill us.
constexpr int kIgnored[] = {SIGINT, SIGQUIT, SIGPIPE};
// As shells say it: 127 for a command not found, 126 for one found but not runnable.
constexpr int kCannotRun = 127;
constexpr int kNotRunnable = 126;

volatile sig_atomic_t g_child = 0;
struct sigaction g_saved[NSIG];

void forward(int sig) {
  if (g_child > 0) kill(static_cast<pid_t>(g_child), sig);
}

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  for (int s : kIgnored) sigaddset(&set, s);
  return set;
}

void install_parent_handlers() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = forward;
  for (int s : kForwarded) sigaction(s, &sa, &g_saved[s]);
  sa.sa_handler = SIG_IGN;
  for (int s : kIgnored) sigaction(s, &sa, &g_saved[s]);
}

void restore_parent_handlers() {
  for (int s : kForwarded) sigaction(s, &g_saved[s], nullptr);
  for (int s : kIgnored) sigaction(s, &g_saved[s], nullptr);
  g_child = 0;
}

void write_all(int fd, const void* data, size_t len) {
  auto* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the child is gone; wait() will tell
    p += n;
    len -= static_cast<size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// In the child: the process is single-threaded, so allocating here is safe.
[[noreturn]] void run_child(int go_fd, int status_fd, char* const* argv, const sigset_t& mask) {
  std::string msg = read_all(go_fd);
  close(go_fd);
  if (msg.empty() || msg[0] != 'G') _exit(kCannotRun);  // cancelled
  // "G" then name NUL value NUL pairs.
  for (size_t pos = 1; pos < msg.size();) {
    size_t name_end = msg.find('\0', pos);
    size_t value_end = msg.find('\0', name_end + 1);
    setenv(msg.substr(pos, name_end - pos).c_str(),
           msg.substr(name_end + 1, value_end - name_end - 1).c_str(), 1);
    pos = value_end + 1;
  }
  // Signals forwarded to us while paused are pending; they act now, with the
  // dispositions we inherited.
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  execvp(argv[0], argv);
  int err = errno;
  std::fprintf(stderr, "heapdrift: cannot run '%s': %s\n", argv[0], std::strerror(err));
  write_all(status_fd, &err, sizeof(err));
  _exit(err == ENOENT ? kCannotRun : kNotRunnable);
}

}  // namespace

PausedChild::PausedChild(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int go[2], status[2];
  if (pipe2(go, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(status, O_CLOEXEC) != 0) {
    int e = errno;
    close(go[0]);
    close(go[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(e));
  }
  // Blocked across the fork so that neither side handles a signal before its
  // dispositions are set: the parent installs its handlers, the child keeps ours.
  sigset_t block = handled_signals(), old;
  sigprocmask(SIG_BLOCK, &block, &old);
  pid_ = fork();
  if (pid_ == 0) {
    close(go[1]);
    close(status[0]);
    run_child(go[0], status[1], args.data(), old);
  }
  int fork_errno = errno;
  close(go[0]);
  close(status[1]);
  go_fd_ = go[1];
  status_fd_ = status[0];
  if (pid_ < 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    close(go_fd_);
    close(status_fd_);
    throw std::runtime_error(std::string("fork: ") + std::strerror(fork_errno));
  }
  g_child = pid_;
  install_parent_handlers();
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

PausedChild::~PausedChild() {
  if (go_fd_ >= 0) cancel();
  if (!waited_) wait();
  if (status_fd_ >= 0) close(status_fd_);
}

bool PausedChild::start(const std::vector<std::pair<std::string, std::string>>& env) {
  std::string msg = "G";
  for (const auto& [name, value] : env) {
    msg += name;
    msg += '\0';
    msg += value;
    msg += '\0';
  }
  write_all(go_fd_, msg.data(), msg.size());
  close(go_fd_);
  go_fd_ = -1;
  std::string status = read_all(status_fd_);  // EOF as soon as exec succeeds (CLOEXEC)
  close(status_fd_);
  status_fd_ = -1;
  return status.empty();
}

void PausedChild::cancel() {
  close(go_fd_);
  go_fd_ = -1;
}

int PausedChild::wait() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      status = kCannotRun << 8;  // not our child any more: cannot happen unless reaped elsewhere
      break;
    }
  }
  waited_ = true;
  restore_parent_handlers();
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace heapdrift::cli
