#include "signal_block.h"

#include <pthread.h>

#include "thread_state.h"

namespace heapdrift {

SignalsBlocked::SignalsBlocked() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved_);
  t_state.signals_blocked = true;
}

SignalsBlocked::~SignalsBlocked() {
  t_state.signals_blocked = false;
  pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
}

bool mask_change_is_void(int how, const sigset_t* set) {
  if (!t_state.signals_blocked) return false;
  if (set == nullptr || how == SIG_BLOCK) return true;
  if (how != SIG_SETMASK) return false;
  sigset_t all;
  sigfillset(&all);  // without the two signals glibc keeps for itself
  for (int s = 1; s < NSIG; ++s) {
    bool blockable = s != SIGKILL && s != SIGSTOP && sigismember(&all, s) == 1;
    if (blockable && sigismember(set, s) != 1) return false;
  }
  return true;
}

}  // namespace heapdrift
