#include "control_fifo.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "clock.h"
#include "file_status.h"

namespace heapdrift {
namespace {

// Closes every descriptor in the calling thread's table, which must be its own, as
// the thread's own directory in /proc lists it. Not close_range: a seccomp allow-list
// older than that call would kill the process for it. Not opendir: its buffer would be
// this thread's first malloc, which costs glibc a new arena (on every fork).
void close_all() {
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/task/%ld/fd", static_cast<long>(syscall(SYS_gettid)));
  int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  alignas(8) char buf[4096];
  long n;
  while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
    for (long at = 0; at < n;) {
      const auto* e = reinterpret_cast<const dirent64*>(buf + at);
      at += e->d_reclen;
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      int fd = atoi(e->d_name);
      if (fd != dir) close(fd);
    }
  }
  close(dir);
}

}  // namespace

bool ControlFifo::create(const std::string& path) {
  path_ = path;
  // One left by the image before an exec (or by an earlier process of the same pid)
  // serves as it is: a FIFO keeps no data once no one has it open, and creating a
  // node is what costs here (an inode, on every exec of a shell's commands).
  struct stat st;
  if (link_status(path.c_str(), &st) == 0) {
    if (S_ISFIFO(st.st_mode) && st.st_uid == geteuid()) return true;
    unlink(path.c_str());
  }
  if (mkfifo(path.c_str(), 0600) != 0) {
    path_.clear();
    return false;
  }
  return true;
}

bool ControlFifo::open_on_writer_thread(std::string* error) {
  // A root and working directory of its own too (CLONE_FS): a daemon that chroots
  // later still has its snapshots written where they were. The system call itself, not
  // the shim's own unshare (namespaces.cpp), which is for the program's calls.
  own_fs_ = syscall(SYS_unshare, CLONE_FILES | CLONE_FS) == 0;
  private_table_ = own_fs_ || syscall(SYS_unshare, CLONE_FILES) == 0;
  if (private_table_) {
    close_all();
    // 0, 1 and 2 on /dev/null: whatever libc may print on this thread (a fatal error)
    // goes nowhere rather than into a snapshot that took number 2.
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 1; null_fd == 0 && fd <= 2; ++fd) dup2(null_fd, fd);
  }
  if (!path_.empty() && !open_fifo()) {
    *error = "cannot open the control FIFO " + path_ + ": " + strerror(errno);
    return false;
  }
  return true;
}

bool ControlFifo::open_fifo() {
  // Read-write, so that the FIFO never reports end-of-file between two writers.
  fd_ = open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (fd_ < 0 || fd_status(fd_, &st) != 0 || !S_ISFIFO(st.st_mode)) {
    int saved = errno;
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    errno = saved;
    return false;
  }
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  reader_tid_.store(static_cast<int>(syscall(SYS_gettid)), std::memory_order_relaxed);
  reader_fd_.store(fd_, std::memory_order_release);
  return true;
}

bool ControlFifo::still_ours() const {
  struct stat st;
  return fd_ >= 0 && fd_status(fd_, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_dev == dev_ && st.st_ino == ino_;
}

bool ControlFifo::wait(int timeout_ms) {
  const uint64_t deadline =
      timeout_ms < 0 ? UINT64_MAX : clock_ns(CLOCK_MONOTONIC) + static_cast<uint64_t>(timeout_ms) * 1000000u;
  for (;;) {
    int left = -1;
    if (deadline != UINT64_MAX) {
      uint64_t now = clock_ns(CLOCK_MONOTONIC);
      if (now >= deadline) return false;
      left = static_cast<int>((deadline - now + 999999) / 1000000);
    }
    pollfd p{fd_, POLLIN, 0};  // a negative fd is ignored: poll only sleeps
    int r = poll(&p, 1, left);
    if (r == 0) return false;
    if (r < 0) continue;  // EINTR
    if (!still_ours()) {
      // The program closed our descriptor (shared table only). Never touch that
      // number again: it may name one of the program's files by now. A request that
      // woke us went with the old descriptor: once no one holds a FIFO open, the kernel
      // drops what was written to it. So answer it.
      fd_ = -1;
      open_fifo();
      return true;
    }
    // One read, not a loop to EAGAIN: a request is one byte, and any number waiting
    // make one snapshot anyway.
    char drain[64];
    if (read(fd_, drain, sizeof(drain)) > 0) return true;
  }
}

bool ControlFifo::poke() const {
  if (path_.empty()) return false;
  // Through the writer's own descriptor first, which needs no path: the program may
  // have become a user who cannot pass the directories above the FIFO. The number may
  // name another file by now (in the program's table), so what it names is opened with
  // O_PATH, which has no effect on the file, and checked to be the FIFO before it is
  // opened for writing.
  int fd = -1;
  const int tid = reader_tid_.load(std::memory_order_acquire), number = reader_fd_.load(std::memory_order_acquire);
  char path[96];
  snprintf(path, sizeof(path), "/proc/self/task/%d/fd/%d", tid, number);
  struct stat st;
  if (int handle = number >= 0 ? open(path, O_PATH | O_CLOEXEC) : -1; handle >= 0) {
    if (fd_status(handle, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_dev == dev_ && st.st_ino == ino_) {
      snprintf(path, sizeof(path), "/proc/self/fd/%d", handle);
      fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    }
    close(handle);
  }
  if (fd < 0) fd = open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  bool written = write(fd, "p", 1) == 1;
  close(fd);
  return written;
}

void ControlFifo::release() {
  reader_fd_.store(-1, std::memory_order_release);
  if (!private_table_ && still_ours()) close(fd_);
  fd_ = -1;
  private_table_ = false;
  own_fs_ = false;
}

}  // namespace heapdrift
