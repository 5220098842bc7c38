// Signals blocked once for a whole learning walk, instead of libunwind's way.
//
// libunwind blocks every signal around each look-up of unwind information it has not
// cached, and again around its memory pool's lock: each time two sigprocmask system
// calls. A learning walk (stack_capture.cpp) steps through frames libunwind has rarely
// seen, so that came to about three system calls a frame: 40,900 of them in one
// `g++ -O2` under the shim, 1.6 % of its time. A SignalsBlocked scope blocks every
// signal once; inside it the shim's exported sigprocmask (preload/sigprocmask.cpp)
// skips the calls that cannot change the thread's mask, which are all of libunwind's.
// Signals stay blocked for no less time than libunwind would have them blocked, so
// no handler can run inside libunwind's locks, as before.
#ifndef HEAPDRIFT_PRELOAD_SIGNAL_BLOCK_H
#define HEAPDRIFT_PRELOAD_SIGNAL_BLOCK_H

#include <signal.h>

namespace heapdrift {

class SignalsBlocked {
 public:
  SignalsBlocked();
  ~SignalsBlocked();
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

// Whether sigprocmask(how, set, ...) on the calling thread, now, would leave its mask
// as it is because a SignalsBlocked scope already blocks every signal: a query, a
// SIG_BLOCK, or a SIG_SETMASK to every signal. False outside such a scope.
bool mask_change_is_void(int how, const sigset_t* set);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_SIGNAL_BLOCK_H
