// `heapdrift snapshot PID [--timeout DURATION]`: asks a process running under the
// shim for a snapshot through its control FIFO and prints the new file's path.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "command.h"
#include "config.h"
#include "recording.h"
#include "snapshot_format.h"

namespace heapdrift::cli {
namespace {
namespace fs = std::filesystem;

struct SnapshotOptions {
  std::string pid;
  std::string timeout = "30s";
};

// Whether the process at `proc` (/proc/PID) has our root directory. Unknown (another
// user's process) counts as yes: its /proc/PID/root would be closed to us anyway.
bool same_root(const fs::path& proc) {
  struct stat ours, theirs;
  if (stat("/", &ours) != 0 || stat((proc / "root").c_str(), &theirs) != 0) return true;
  return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

// The shim's writer thread, named heapdrift, keeps the root and working directory its
// process had when the shim started (preload/control_fifo.cpp): a daemon that has
// chrooted since is reached through the thread's, /proc/PID/task/TID. Without one, the
// process's own.
fs::path where_the_shim_started(const fs::path& proc) {
  std::error_code ec;
  for (fs::directory_iterator task(proc / "task", ec), end; !ec && task != end; task.increment(ec)) {
    std::ifstream comm(task->path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name == "heapdrift") return task->path();
  }
  return proc;
}

// Where the shim in `pid` writes: HEAPDRIFT_OUTPUT from the environment it started
// with, else its default, heapdrift.<pid> in its working directory. A process in a
// container or a chroot names them from its own root: they are reached through
// /proc/PID/root and /proc/PID/cwd then.
fs::path recording_dir_of(const std::string& pid) {
  const fs::path proc = fs::path("/proc") / pid;
  std::error_code ec;
  if (!fs::exists(proc, ec)) throw std::runtime_error("no process with pid " + pid);
  std::ifstream in(proc / "environ", std::ios::binary);
  if (!in) throw std::runtime_error((proc / "environ").string() + ": cannot read: " + std::strerror(errno));
  std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string output;
  const std::string key = std::string(kEnvOutput) + "=";
  for (size_t pos = 0; pos < environ.size();) {
    size_t end = environ.find('\0', pos);
    if (end == std::string::npos) end = environ.size();
    if (environ.compare(pos, key.size(), key) == 0) output = environ.substr(pos + key.size(), end - pos - key.size());
    pos = end + 1;
  }
  const fs::path relative = output.empty() ? "heapdrift." + pid : output;
  const fs::path shim = where_the_shim_started(proc);
  const bool ours = same_root(shim);
  if (relative.is_absolute()) return ours ? relative : shim / "root" / relative.relative_path();
  if (!ours) return shim / "cwd" / relative;
  fs::path cwd = fs::read_symlink(shim / "cwd", ec);
  if (ec) throw std::runtime_error((shim / "cwd").string() + ": cannot read: " + ec.message());
  return cwd / relative;
}

uint64_t highest_snapshot(const fs::path& process_dir) {
  uint64_t highest = 0;
  for (const SnapshotFile& f : list_snapshots(process_dir)) highest = std::max(highest, f.number);
  return highest;
}

std::optional<fs::path> first_after(const fs::path& process_dir, uint64_t number) {
  for (const SnapshotFile& f : list_snapshots(process_dir)) {  // sorted by number
    if (f.number > number) return f.path;
  }
  return std::nullopt;
}

bool alive(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

// Opens the FIFO for writing; the open itself tells whether the shim is listening. A
// FIFO without a reader may get one a moment later: a process that has just forked
// or exec'd opens it once its writer thread runs. So that is retried while the process
// lives, for up to a second (`deadline` may end it sooner).
int open_control(pid_t pid, const fs::path& control, std::chrono::steady_clock::time_point deadline) {
  const std::string not_ours = "process " + std::to_string(pid) + " is not running under heapdrift (";
  struct stat st;
  if (lstat(control.c_str(), &st) != 0) {
    std::error_code ec;
    if (errno == ENOENT && fs::is_directory(control.parent_path(), ec)) {
      throw std::runtime_error("process " + std::to_string(pid) + " records into " +
                               control.parent_path().string() +
                               " without a control FIFO, and takes no requests: none could be made "
                               "there (it writes its periodic and exit snapshots, and none on demand), or "
                               "its malloc is its own (the shim records nothing, and writes only its exit "
                               "snapshot)");
    }
    throw std::runtime_error(not_ours + control.string() + ": " + std::strerror(errno) + ")");
  }
  if (!S_ISFIFO(st.st_mode)) throw std::runtime_error(control.string() + ": not a FIFO");
  deadline = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  for (;;) {
    // O_NONBLOCK: the open fails with ENXIO, rather than hanging, when nobody reads.
    int fd = open(control.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != ENXIO && errno != ENOENT) {
      throw std::runtime_error(control.string() + ": cannot open: " + std::strerror(errno));
    }
    if (!alive(pid) || std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error(not_ours + "nobody reads " + control.string() + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void request_snapshot(int fd, const fs::path& control) {
  std::signal(SIGPIPE, SIG_IGN);  // a reader that just went away is reported, not fatal
  char byte = 's';
  ssize_t n;
  do n = write(fd, &byte, 1); while (n < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  // EAGAIN: the FIFO is full of requests already, so a snapshot is coming anyway.
  if (n < 0 && err != EAGAIN) {
    throw std::runtime_error(control.string() + ": cannot write: " + std::strerror(err));
  }
}

int run_snapshot(const SnapshotOptions& o) {
  uint64_t pid, timeout_ms;
  if (!parse_uint(o.pid.c_str(), INT32_MAX, &pid) || pid == 0) {
    throw UsageError("PID '" + o.pid + "': expected a process id");
  }
  if (!parse_duration_ms(o.timeout.c_str(), &timeout_ms)) {
    throw UsageError("--timeout '" + o.timeout + "': expected a duration such as 500ms, 2s, 5m");
  }
  const std::string pid_text = std::to_string(pid);
  const fs::path process_dir = recording_dir_of(pid_text) / pid_text;
  const fs::path control = process_dir / format::kControlFifo;

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int fd = open_control(static_cast<pid_t>(pid), control, deadline);
  uint64_t before;
  try {
    before = highest_snapshot(process_dir);
  } catch (...) {
    close(fd);
    throw;
  }
  request_snapshot(fd, control);

  for (;;) {
    bool running = alive(static_cast<pid_t>(pid));
    if (auto path = first_after(process_dir, before)) {
      std::printf("%s\n", path->c_str());
      return std::fflush(stdout) == 0 ? 0 : 1;
    }
    if (!running) throw std::runtime_error("process " + pid_text + " exited without writing a snapshot");
    if (Clock::now() >= deadline) {
      throw std::runtime_error("no snapshot from process " + pid_text + " in " + process_dir.string() +
                               " within " + o.timeout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Command add_snapshot_command(CLI::App& app) {
  auto o = std::make_shared<SnapshotOptions>();
  CLI::App* cmd = app.add_subcommand("snapshot", "Ask a process running under heapdrift for a snapshot now");
  cmd->add_option("PID", o->pid, "The process")->type_name("")->required();
  cmd->add_option("--timeout", o->timeout, "How long to wait for the snapshot (default 30s)")
      ->type_name("DURATION");
  return {cmd, [o] { return run_snapshot(*o); }, false};
}

}  // namespace heapdrift::cli
