// Everything the hooks keep per thread. Plain data, zero-initialised, so that the shim
// can hold it in initial-exec TLS: the default TLS model may call __tls_get_addr,
// which can malloc after a dlopen and so recurse into the hooks.
#ifndef HEAPDRIFT_PRELOAD_THREAD_STATE_H
#define HEAPDRIFT_PRELOAD_THREAD_STATE_H

#include <cstdint>

#include "sampler.h"

namespace heapdrift {

struct ThreadCounters;

struct ThreadState {
  Sampler::State sampler;
  ThreadCounters* counters;  // acquired on the first allocation
  uintptr_t stack_hi;        // top of this thread's stack, found on the first sample
  uint32_t tid;              // cached gettid(), found on the first sample
  uint32_t guard;            // non-zero while inside the shim: calls pass straight through
  bool exited;               // the thread-exit handler has released `counters`
  // The hooks may take their fast path (no guard, no usable sizes): `counters` is
  // attached and the recorder does not count bytes. Set by the Recorder.
  bool fast;
};

// Sets the guard for a scope; nesting is safe (the previous value is restored).
class ReentrancyGuard {
 public:
  explicit ReentrancyGuard(ThreadState& t) : t_(t), saved_(t.guard) { t_.guard = 1; }
  ~ReentrancyGuard() { t_.guard = saved_; }
  ReentrancyGuard(const ReentrancyGuard&) = delete;
  ReentrancyGuard& operator=(const ReentrancyGuard&) = delete;

 private:
  ThreadState& t_;
  uint32_t saved_;
};

// The calling thread's state (defined in thread_state.cpp).
extern __thread ThreadState t_state __attribute__((tls_model("initial-exec")));

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_THREAD_STATE_H
