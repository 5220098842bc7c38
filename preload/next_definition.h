// The next definition of a function the shim exports besides the allocator's (libc's
// dlclose, setuid, ...), looked up once by dlsym(RTLD_NEXT) and kept in `cache`.
// dlsym may allocate, which the guard keeps from the recorder, and it may set errno,
// which is kept. Like every dl call it clears a pending dlerror() message. Never null
// in a process that runs (libc is below the shim); the callers still check.
#ifndef HEAPDRIFT_PRELOAD_NEXT_DEFINITION_H
#define HEAPDRIFT_PRELOAD_NEXT_DEFINITION_H

#include <dlfcn.h>

#include <atomic>

#include "errno_kept.h"
#include "thread_state.h"

namespace heapdrift {

template <class Fn>
Fn next_definition(std::atomic<Fn>& cache, const char* name) {
  Fn fn = cache.load(std::memory_order_acquire);
  if (!fn) {
    ReentrancyGuard guard(t_state);
    ErrnoKept kept;
    fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
    cache.store(fn, std::memory_order_release);
  }
  return fn;
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_NEXT_DEFINITION_H
