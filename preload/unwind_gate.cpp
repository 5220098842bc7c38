#include "unwind_gate.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace heapdrift {
namespace {

long membarrier(int command) { return syscall(SYS_membarrier, command, 0, 0); }

}  // namespace

bool UnwindGate::use_membarrier_if_available() {
  long commands = membarrier(MEMBARRIER_CMD_QUERY);
  asymmetric_ = commands > 0 && (commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
                membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
  return asymmetric_;
}

void UnwindGate::close() {
  closed_.store(true);
  // Every thread's later loads see closed_, and its earlier stores (an entry) are
  // visible to the loads of wait_until_out. Registration succeeded, so this cannot
  // fail short of a seccomp filter installed since; then the global form, slower.
  if (asymmetric_ && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0) membarrier(MEMBARRIER_CMD_GLOBAL);
  wait_until_out(shared_);
}

void UnwindGate::wait_until_out(const std::atomic<int>& inside) {
  while (inside.load() != 0) sched_yield();
}

void UnwindGate::reset_after_fork() {
  shared_.store(0);
  closed_.store(false);
  if (asymmetric_) use_membarrier_if_available();  // the child is a new address space
}

void UnwindGate::wait_while_closed() const {
  while (closed_.load()) sched_yield();
}

}  // namespace heapdrift
