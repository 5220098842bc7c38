// Writing files from a program's thread without SIGXFSZ.
//
// A write past RLIMIT_FSIZE raises SIGXFSZ at the writing thread, whose default action
// ends the process. The writer thread blocks every signal, so there the write just
// fails with EFBIG; a write the shim makes on a program's thread (the exit snapshot
// when there is no writer thread to ask, a report on stderr) must fail the same way.
// The signal is held for the scope, and the one a write raised is taken back (unless
// one was pending already).
#ifndef HEAPDRIFT_PRELOAD_FILE_SIZE_SIGNAL_H
#define HEAPDRIFT_PRELOAD_FILE_SIZE_SIGNAL_H

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace heapdrift {

class FileSizeSignalHeld {
 public:
  FileSizeSignalHeld() {
    sigemptyset(&xfsz_);
    sigaddset(&xfsz_, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &xfsz_, &saved_);
    sigset_t pending;
    was_pending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ);
  }
  ~FileSizeSignalHeld() {
    timespec now{0, 0};
    if (!was_pending_) sigtimedwait(&xfsz_, nullptr, &now);
    pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  FileSizeSignalHeld(const FileSizeSignalHeld&) = delete;
  FileSizeSignalHeld& operator=(const FileSizeSignalHeld&) = delete;

 private:
  sigset_t xfsz_, saved_;
  bool was_pending_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_FILE_SIZE_SIGNAL_H
