#include "address_test.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace heapdrift {

// FUTEX_CMP_REQUEUE reads the aligned word holding the address before anything else,
// to compare it with 0: EFAULT where the kernel cannot (unmapped, PROT_NONE), else
// EAGAIN (not 0) or 0 (it is, and no waiter was moved). It never sleeps, unlike
// FUTEX_WAIT, whose zero timeout still gives up the CPU when the word matches; and
// futex, unlike process_vm_readv, is in every seccomp allow-list: no program runs
// threads without it.
bool readable(uintptr_t address) {
  static int requeue_target;
  const int saved = errno;  // the program's, on whose thread this runs
  long r = syscall(SYS_futex, address & ~uintptr_t{3}, FUTEX_CMP_REQUEUE_PRIVATE, 0, 0, &requeue_target, 0);
  const bool answer = r >= 0 || errno == EAGAIN;
  errno = saved;
  return answer;
}

}  // namespace heapdrift
