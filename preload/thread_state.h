// Everything the hooks keep per thread. Plain data, zero-initialised, so that the shim
// can hold it in initial-exec TLS: the default TLS model may call __tls_get_addr,
// which can malloc after a dlopen and so recurse into the hooks.
#ifndef HEAPDRIFT_PRELOAD_THREAD_STATE_H
#define HEAPDRIFT_PRELOAD_THREAD_STATE_H

#include <cstdint>

#include "sampler.h"
#include "stack_extent.h"
#include "thread_counters.h"

namespace heapdrift {

// ThreadState::mode: the hooks' first and only test on their fast path is
// `mode == kFastPath`. A zero-initialised (new) thread is on the slow path.
inline constexpr uint8_t kFastPath = 1;  // set by the Recorder once the thread is attached
inline constexpr uint8_t kInShim = 0x80;  // the re-entrancy guard: calls pass straight through

// One cache line holds what the fast path touches: mode, sampler, fast.
struct alignas(64) ThreadState {
  uint8_t mode;
  Sampler::State sampler;
  FastCounts fast;           // the fast path's counts (CounterRegistry)
  ThreadCounters* counters;  // acquired on the first allocation
  OwnStack stack;            // found on the first sample, proven readable as samples go (stack_extent.h)
  uint64_t time_floor_ns;    // no sample of this thread is dated earlier (Recorder)
  uint32_t tid;              // cached gettid(), found when the thread attaches (and in a fork child)
  uint32_t last_stack_id;    // the stack of the thread's last sample (StackDepot::intern)
  bool exited;               // the thread-exit handler has released `counters`
  bool signals_blocked;      // inside a SignalsBlocked scope (signal_block.h)

  bool in_shim() const { return mode & kInShim; }
  // The fast path (no guard, no usable sizes) needs `counters` attached and a
  // recorder that does not count bytes.
  void set_fast(bool fast) { mode = static_cast<uint8_t>((mode & kInShim) | (fast ? kFastPath : 0)); }
};

// Sets the guard for a scope; nesting is safe (the previous value is restored).
class ReentrancyGuard {
 public:
  explicit ReentrancyGuard(ThreadState& t) : t_(t), saved_(t.mode & kInShim) { t_.mode |= kInShim; }
  ~ReentrancyGuard() { t_.mode = static_cast<uint8_t>((t_.mode & ~kInShim) | saved_); }
  ReentrancyGuard(const ReentrancyGuard&) = delete;
  ReentrancyGuard& operator=(const ReentrancyGuard&) = delete;

 private:
  ThreadState& t_;
  uint8_t saved_;
};

// The calling thread's state (defined in thread_state.cpp).
extern __thread ThreadState t_state __attribute__((tls_model("initial-exec")));

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_THREAD_STATE_H
