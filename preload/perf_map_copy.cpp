#include "perf_map_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "clock.h"
#include "file_status.h"
#include "snapshot_format.h"
#include "write_fully.h"

namespace heapdrift {
namespace {

bool read_fully(int fd, char* buf, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = pread(fd, buf, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf += n, size -= static_cast<size_t>(n), offset += static_cast<uint64_t>(n);
  }
  return true;
}

uint64_t wall_ns(const timespec& t) { return uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec); }

// The kernel dates a file by its coarse clock, up to a tick behind the clock that dated
// the program's start: without slack, a map written in the program's first tick would
// look older than the program and be copied only once written to again, its first
// lines then dated with the later ones (a JIT that reused their addresses would get
// their blocks). A tick of slack cannot take an earlier process's map for this one's:
// pids are not reused that fast.
uint64_t file_clock_tick_ns() {
  timespec tick{};
  return clock_getres(CLOCK_REALTIME_COARSE, &tick) == 0 ? wall_ns(tick) : 0;
}

}  // namespace

std::string PerfMapCopy::source_of(uint32_t pid) { return "/tmp/perf-" + std::to_string(pid) + ".map"; }

void PerfMapCopy::update(const std::string& source, const std::string& process_dir, uint64_t start_wall_ns,
                         uint64_t start_mono_ns) {
  struct stat st;
  // Most processes have no perf map: one failed open per snapshot.
  // O_NONBLOCK: a FIFO put in its place must not hang the snapshot.
  int fd = open(source.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  // Another user's file in /tmp is not this process's map (as perf itself checks).
  if (fd_status(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
      wall_ns(st.st_mtim) + file_clock_tick_ns() < start_wall_ns ||
      access((process_dir + "/" + format::kJitLog).c_str(), F_OK) == 0) {
    close(fd);
    return;
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  if (st.st_dev != dev_ || st.st_ino != ino_ || !continues(fd, size)) {
    dev_ = st.st_dev, ino_ = st.st_ino, copied_ = 0, tail_size_ = 0;
  }
  // Up to the last complete line: the JIT may be writing one now.
  uint64_t end = size;
  while (end > copied_) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof buffer_, end - copied_));
    if (!read_fully(fd, buffer_, n, end - n)) break;
    const void* newline = memrchr(buffer_, '\n', n);
    if (newline) {
      end = end - n + static_cast<uint64_t>(static_cast<const char*>(newline) - buffer_) + 1;
      if (append(fd, end, process_dir + "/" + format::kPerfMapCopy, start_mono_ns)) {
        tail_size_ = static_cast<size_t>(std::min<uint64_t>(kTail, end));
        if (read_fully(fd, tail_, tail_size_, end - tail_size_)) copied_ = end;
        else dev_ = ino_ = 0, copied_ = 0;  // copy it all again next time rather than guess
      }
      break;
    }
    end -= n;
  }
  close(fd);
}

bool PerfMapCopy::continues(int fd, uint64_t size) {
  if (copied_ == 0) return true;
  if (size < copied_) return false;
  char now[kTail];
  return read_fully(fd, now, tail_size_, copied_ - tail_size_) && memcmp(now, tail_, tail_size_) == 0;
}

bool PerfMapCopy::append(int source_fd, uint64_t end, const std::string& copy_path, uint64_t start_mono_ns) {
  int out = open(copy_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (out < 0) return false;
  struct stat st;
  if (fd_status(out, &st) != 0) {
    close(out);
    return false;
  }
  char header[128];
  int len = std::snprintf(header, sizeof header, "%s program %llu copied %llu\n", format::kPerfMapCopyHeader,
                          static_cast<unsigned long long>(start_mono_ns),
                          static_cast<unsigned long long>(clock_ns(CLOCK_MONOTONIC)));
  bool ok = write_fully(out, header, static_cast<size_t>(len));
  for (uint64_t at = copied_; ok && at < end;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof buffer_, end - at));
    ok = read_fully(source_fd, buffer_, n, at) && write_fully(out, buffer_, n);
    at += n;
  }
  // A full disk leaves no half batch behind: a reader would take its last line for a
  // whole one.
  if (!ok) ftruncate(out, st.st_size);
  close(out);
  return ok;
}

}  // namespace heapdrift
