// The program's errno, put back when the shim's own work on its thread is done.
//
// That work sets errno on the way: libunwind's address tests fail with EFAULT by
// design, a thread's first sample looks for recycled thread slots, a fork child starts
// its writer. A program may read errno after a call that succeeded (a readdir loop that
// allocates, code that sets errno to 0 before a call), and glibc's free() promises to
// keep it. Scopes of this kind wrap the work that can set errno (libunwind's part of a
// stack capture, the shim's mmap, a thread's attach, the start-up, fork and exit
// handlers; the address test keeps errno itself), never the real allocator's call,
// whose errno (ENOMEM) is the program's answer. The hooks' other paths make no system
// call.
#ifndef HEAPDRIFT_PRELOAD_ERRNO_KEPT_H
#define HEAPDRIFT_PRELOAD_ERRNO_KEPT_H

#include <cerrno>

namespace heapdrift {

class ErrnoKept {
 public:
  ErrnoKept() : saved_(errno) {}
  ~ErrnoKept() { errno = saved_; }
  ErrnoKept(const ErrnoKept&) = delete;
  ErrnoKept& operator=(const ErrnoKept&) = delete;

 private:
  int saved_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_ERRNO_KEPT_H
