// setuid, seteuid, setreuid and setresuid, exported. A daemon started as root that
// leaves root for its user (nginx's and Apache's workers) takes the writer thread with
// it: glibc changes every thread's user. The directory the shim made as root would then
// refuse its snapshots, so before such a call, while still root, the shim gives the
// process's directory and what is in it to the user the process becomes. The writer
// works from inside that directory, and reaches the FIFO through its descriptor
// (control_fifo.h), so the directories above need not let that user through. The
// processes it then forks or execs (PostgreSQL's backends) make directories of their
// own in the recording's: the shim lets that user write there too (directory_acl.h);
// these do need the directories above to let the user through. A program that makes
// the system call itself changes only its calling thread, and the writer stays root.
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <type_traits>

#include "errno_kept.h"
#include "lifecycle.h"
#include "next_definition.h"
#include "thread_state.h"

namespace {

// `euid`: the effective user the call asks for, (uid_t)-1 for "unchanged".
void before_user_change(uid_t euid) {
  if (euid == static_cast<uid_t>(-1) || euid == 0 || geteuid() != 0) return;
  heapdrift::ReentrancyGuard guard(heapdrift::t_state);
  heapdrift::ErrnoKept kept;
  heapdrift::give_directory_to(euid);
}

// The next definition of `name` (libc's), called with `args` after the hand-over to
// `euid`; ENOSYS where there is none.
template <class... Args>
int change_user(std::atomic<int (*)(Args...)>& real, const char* name, uid_t euid,
                std::type_identity_t<Args>... args) {
  auto fn = heapdrift::next_definition(real, name);
  if (!fn) return errno = ENOSYS, -1;
  before_user_change(euid);
  return fn(args...);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int setuid(uid_t uid) {
  static std::atomic<int (*)(uid_t)> real{nullptr};
  return change_user(real, "setuid", uid, uid);
}

extern "C" __attribute__((visibility("default"))) int seteuid(uid_t euid) {
  static std::atomic<int (*)(uid_t)> real{nullptr};
  return change_user(real, "seteuid", euid, euid);
}

extern "C" __attribute__((visibility("default"))) int setreuid(uid_t ruid, uid_t euid) {
  static std::atomic<int (*)(uid_t, uid_t)> real{nullptr};
  return change_user(real, "setreuid", euid, ruid, euid);
}

extern "C" __attribute__((visibility("default"))) int setresuid(uid_t ruid, uid_t euid, uid_t suid) {
  static std::atomic<int (*)(uid_t, uid_t, uid_t)> real{nullptr};
  return change_user(real, "setresuid", euid, ruid, euid, suid);
}
