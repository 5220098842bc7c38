// Test-program side: asks the shim preloaded into this very process for a snapshot
// and waits until it is on disk, so that a program can bracket a region of its own
// allocations with two snapshots and the test can compare them exactly.
//
// Everything that allocates (getenv, building paths) happens in init(); take() uses
// only open/write/close/stat/nanosleep, so the program allocates nothing between
// asking for a snapshot and seeing it written.
#ifndef HEAPDRIFT_TESTS_SHIM_SELF_SNAPSHOT_H
#define HEAPDRIFT_TESTS_SHIM_SELF_SNAPSHOT_H

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>

namespace shimtest {

class SelfSnapshot {
 public:
  // Reads HEAPDRIFT_OUTPUT (must be absolute) and finds the next snapshot number of
  // this process. False when the variable is missing or relative.
  bool init() {
    const char* out = getenv("HEAPDRIFT_OUTPUT");
    if (!out || out[0] != '/' || strlen(out) > 3000) return false;
    dir_[0] = '\0';
    append(dir_, out);
    append(dir_, "/");
    append_number(dir_, static_cast<unsigned long>(getpid()), 0);
    control_[0] = '\0';
    append(control_, dir_);
    append(control_, "/control");
    next_ = 1;
    while (exists(next_)) ++next_;
    return true;
  }

  // Asks for a snapshot and waits for snap-NNNNNN.hds (up to `timeout_s` seconds).
  // Returns its number, or 0 on failure (no FIFO, or no file in time).
  unsigned take(int timeout_s = 30) {
    int fd = open(control_, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return 0;
    char byte = 's';
    ssize_t n = write(fd, &byte, 1);
    close(fd);
    if (n != 1) return 0;
    timespec pause{0, 1000000};  // 1 ms
    for (long waited = 0; waited < timeout_s * 1000L; ++waited) {
      if (exists(next_)) return next_++;
      nanosleep(&pause, nullptr);
    }
    return 0;
  }

 private:
  static void append(char* buf, const char* text) {
    size_t len = strlen(buf);
    while (*text && len + 1 < kPathSize) buf[len++] = *text++;
    buf[len] = '\0';
  }
  // Decimal, zero-padded to `width` digits; no stdio (it could allocate).
  static void append_number(char* buf, unsigned long v, int width) {
    char digits[24];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    while (n < width) digits[n++] = '0';
    char text[24];
    for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
    text[n] = '\0';
    append(buf, text);
  }
  bool exists(unsigned number) {
    char path[kPathSize];
    path[0] = '\0';
    append(path, dir_);
    append(path, "/snap-");
    append_number(path, number, 6);
    append(path, ".hds");
    struct stat st;
    return stat(path, &st) == 0;
  }

  static constexpr size_t kPathSize = 4096;
  char dir_[kPathSize];
  char control_[kPathSize];
  unsigned next_ = 1;
};

}  // namespace shimtest

#endif  // HEAPDRIFT_TESTS_SHIM_SELF_SNAPSHOT_H
