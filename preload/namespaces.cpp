// unshare and setns, exported. The kernel refuses some namespace changes to a process
// with more than one thread: a new user namespace (unshare), joining a user namespace
// (setns), and joining a mount namespace while a thread shares the caller's root and
// working directory (the writer thread does not, unless a seccomp filter refused it
// CLONE_FS: control_fifo.cpp). The shim's writer thread made such calls fail with
// EINVAL (`unshare -U` could not run under the shim). A call that fails so is made
// again with the writer thread paused (lifecycle.h); one that succeeds costs nothing
// more. Programs that make the system call themselves (syscall(SYS_unshare, ...))
// still see EINVAL.
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.h"

namespace {

struct UnshareArgs {
  int flags;
};

struct SetnsArgs {
  int fd;
  int nstype;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) int unshare(int flags) {
  UnshareArgs args{flags};
  return static_cast<int>(heapdrift::without_writer_thread(
      [](const void* a) { return syscall(SYS_unshare, static_cast<const UnshareArgs*>(a)->flags); }, &args));
}

extern "C" __attribute__((visibility("default"))) int setns(int fd, int nstype) {
  SetnsArgs args{fd, nstype};
  return static_cast<int>(heapdrift::without_writer_thread(
      [](const void* a) {
        auto* s = static_cast<const SetnsArgs*>(a);
        return syscall(SYS_setns, s->fd, s->nstype);
      },
      &args));
}
