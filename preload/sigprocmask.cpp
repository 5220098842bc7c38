// sigprocmask, exported so that libunwind's calls reach it: inside a learning walk,
// whose SignalsBlocked scope already blocks every signal, the calls that cannot change
// the mask are skipped (signal_block.h). Every other call is glibc's sigprocmask.
#include <pthread.h>
#include <signal.h>

#include <cerrno>

#include "signal_block.h"

extern "C" __attribute__((visibility("default"))) int sigprocmask(int how, const sigset_t* set, sigset_t* old) {
  if (heapdrift::mask_change_is_void(how, set)) {
    if (old) sigfillset(old);  // the mask in force
    return 0;
  }
  int error = pthread_sigmask(how, set, old);  // what glibc's sigprocmask does
  if (error == 0) return 0;
  errno = error;
  return -1;
}
