// Writes a whole buffer to a descriptor, through short writes and EINTR: false (errno
// set) on the first failure. The snapshot encoder's and the perf map copy's writes.
#ifndef HEAPDRIFT_PRELOAD_WRITE_FULLY_H
#define HEAPDRIFT_PRELOAD_WRITE_FULLY_H

#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace heapdrift {

inline bool write_fully(int fd, const char* buf, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, buf, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf += n, size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_WRITE_FULLY_H
