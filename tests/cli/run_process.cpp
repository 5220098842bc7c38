#include "run_process.h"

#include <csignal>
#include <cstring>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace heapdrift::test {
namespace {

std::string read_fd(int fd) {
  std::string out;
  char buf[4096];
  for (off_t off = 0;;) {
    ssize_t n = pread(fd, buf, sizeof(buf), off);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
}

int decode(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::filesystem::path& cwd, const EnvVars& env) {
  // Everything the child needs is built before fork.
  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string v = *e;
    if (v.rfind("HEAPDRIFT_", 0) == 0 || v.rfind("LD_PRELOAD=", 0) == 0 || v.rfind("GLIBC_TUNABLES=", 0) == 0) {
      continue;
    }
    if (env.contains(v.substr(0, v.find('=')))) continue;
    vars.push_back(v);
  }
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  out_fd_ = memfd_create("stdout", MFD_CLOEXEC);
  err_fd_ = memfd_create("stderr", MFD_CLOEXEC);
  if (out_fd_ < 0 || err_fd_ < 0) throw std::runtime_error("memfd_create failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(250);
    dup2(out_fd_, STDOUT_FILENO);
    dup2(err_fd_, STDERR_FILENO);
    execvpe(args[0], args.data(), envp.data());
    _exit(251);
  }
}

Process::~Process() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(out_fd_);
  close(err_fd_);
}

bool Process::running() {
  if (reaped_) return false;
  int status;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped_ = true;
    status_ = decode(status);
    return false;
  }
  return true;
}

int Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      reaped_ = true;
      return status_ = -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

std::string Process::out() const { return read_fd(out_fd_); }
std::string Process::err() const { return read_fd(err_fd_); }

Result run(const std::vector<std::string>& argv, const std::filesystem::path& cwd, const EnvVars& env) {
  Process p(argv, cwd, env);
  int status = p.wait();
  return {status, p.out(), p.err()};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace heapdrift::test
