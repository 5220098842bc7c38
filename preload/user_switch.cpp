// setuid, seteuid, setreuid and setresuid, exported. A daemon started as root that
// leaves root for its user (nginx's and Apache's workers) takes the writer thread with
// it: glibc changes every thread's user. The directory the shim made as root would then
// refuse its snapshots, so before such a call, while still root, the shim gives the
// process's directory and what is in it to the user the process becomes. The writer
// works from inside that directory, and reaches the FIFO through its descriptor
// (control_fifo.h), so the directories above need not let that user through. A program
// that makes the system call itself changes only its calling thread, and the writer
// stays root.
#include <dlfcn.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "errno_kept.h"
#include "lifecycle.h"
#include "thread_state.h"

namespace {

// The next definition of `name` (libc's), looked up once. dlsym may allocate: the guard
// keeps that from the recorder. Never null in a process that runs (libc is below the
// shim), but if it were, the calls below fail with ENOSYS rather than jump to 0.
template <class Fn>
Fn next_definition(std::atomic<Fn>& cache, const char* name) {
  Fn fn = cache.load(std::memory_order_acquire);
  if (!fn) {
    heapdrift::ReentrancyGuard guard(heapdrift::t_state);
    heapdrift::ErrnoKept kept;
    fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
    cache.store(fn, std::memory_order_release);
  }
  return fn;
}

// `euid`: the effective user the call asks for, (uid_t)-1 for "unchanged".
void before_user_change(uid_t euid) {
  if (euid == static_cast<uid_t>(-1) || euid == 0 || geteuid() != 0) return;
  heapdrift::ReentrancyGuard guard(heapdrift::t_state);
  heapdrift::ErrnoKept kept;
  heapdrift::give_directory_to(euid);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int setuid(uid_t uid) {
  static std::atomic<int (*)(uid_t)> real{nullptr};
  auto fn = next_definition(real, "setuid");
  if (!fn) return errno = ENOSYS, -1;
  before_user_change(uid);
  return fn(uid);
}

extern "C" __attribute__((visibility("default"))) int seteuid(uid_t euid) {
  static std::atomic<int (*)(uid_t)> real{nullptr};
  auto fn = next_definition(real, "seteuid");
  if (!fn) return errno = ENOSYS, -1;
  before_user_change(euid);
  return fn(euid);
}

extern "C" __attribute__((visibility("default"))) int setreuid(uid_t ruid, uid_t euid) {
  static std::atomic<int (*)(uid_t, uid_t)> real{nullptr};
  auto fn = next_definition(real, "setreuid");
  if (!fn) return errno = ENOSYS, -1;
  before_user_change(euid);
  return fn(ruid, euid);
}

extern "C" __attribute__((visibility("default"))) int setresuid(uid_t ruid, uid_t euid, uid_t suid) {
  static std::atomic<int (*)(uid_t, uid_t, uid_t)> real{nullptr};
  auto fn = next_definition(real, "setresuid");
  if (!fn) return errno = ENOSYS, -1;
  before_user_change(euid);
  return fn(ruid, euid, suid);
}
