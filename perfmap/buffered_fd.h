// A fixed buffer in front of write(2), for code that runs inside the target process:
// no allocation, no stdio. After the first failed write everything is dropped and the
// errno is kept for the caller to report once.
//
// NB: not thread-safe.
#ifndef HEAPDRIFT_PERFMAP_BUFFERED_FD_H
#define HEAPDRIFT_PERFMAP_BUFFERED_FD_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace heapdrift::perfmap {

// Writes all of [data, data + n) to fd, retrying after EINTR and short writes.
// Returns 0, or the errno of the failure (EIO for a write that wrote nothing).
int write_all(int fd, const void* data, size_t n);

template <size_t N>
class BufferedFd {
 public:
  explicit BufferedFd(int fd = -1) : fd_(fd) {}
  BufferedFd(const BufferedFd&) = delete;
  BufferedFd& operator=(const BufferedFd&) = delete;

  // Starts over on `fd` (not owned): the buffer and any earlier error are forgotten.
  void reset(int fd) {
    fd_ = fd;
    error_ = 0;
    used_ = 0;
  }
  int fd() const { return fd_; }
  int error() const { return error_; }
  bool usable() const { return fd_ >= 0 && error_ == 0; }

  void put(const void* data, size_t n) {
    auto* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
      if (used_ == N && !flush()) return;
      size_t chunk = N - used_ < n ? N - used_ : n;
      std::memcpy(buffer_ + used_, p, chunk);
      used_ += chunk;
      p += chunk;
      n -= chunk;
    }
  }

  // Hands what is buffered to the kernel; false once a write has failed.
  bool flush() {
    if (error_ == 0 && used_ > 0) error_ = write_all(fd_, buffer_, used_);
    used_ = 0;
    return error_ == 0;
  }

 private:
  int fd_;
  int error_ = 0;
  size_t used_ = 0;
  uint8_t buffer_[N];
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_BUFFERED_FD_H
