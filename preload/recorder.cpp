#include "recorder.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "clock.h"
#include "errno_kept.h"
#include "frame_rules.h"
#include "interpreter_frames.h"
#include "stack_capture.h"

namespace heapdrift {

Recorder::Recorder(const Config& config, uintptr_t skip_lo, uintptr_t skip_hi, PageFilter& filter)
    : config_(config),
      sampler_(config.sample_rate),
      skip_lo_(skip_lo),
      skip_hi_(skip_hi),
      live_(config.max_live_samples, sampler_.exact() ? nullptr : &filter),
      stacks_(config.max_stacks) {
  unwind_gate_.use_membarrier_if_available();
  thread_seed_base_ = config.seed_set ? config.seed : clock_ns(CLOCK_MONOTONIC) ^ (uint64_t(getpid()) << 32);
}

void Recorder::count_unattached(ThreadState& t, bool alloc, size_t usable) {
  if (!t.exited) {
    ErrnoKept kept;  // acquire() asks the kernel about threads gone
    t.tid = static_cast<uint32_t>(syscall(SYS_gettid));
    t.counters = counters_.acquire(&t.fast, static_cast<int>(t.tid));
    t.set_fast(t.counters && !counts_bytes());
    if (on_attach_) on_attach_(t);
  }
  if (ThreadCounters* c = t.counters) {
    alloc ? c->on_alloc(usable) : c->on_free(usable);
    return;
  }
  ThreadCounters& shared = counters_.shared();
  CounterRegistry::add_shared(alloc ? shared.alloc_calls : shared.free_calls, 1);
  CounterRegistry::add_shared(alloc ? shared.alloc_bytes : shared.free_bytes, usable);
}

// Not in the constructor: a process that never samples (most short-lived ones) would
// pay ~1 MiB of resident pages and ~1 ms for them. Past the first sample nearly every
// page gets touched anyway, and one call faults them in at a fifth of the cost of
// faulting them one by one, read then write (internal_populate).
void Recorder::populate_tables() {
  if (populated_.exchange(true, std::memory_order_relaxed)) return;
  live_.populate();
  stacks_.populate();
  if (config_.unwind == UnwindMode::kLibunwind) frame_rules().populate();
}

void Recorder::detach(ThreadState& t) {
  counters_.release(t.counters);
  t.counters = nullptr;
  t.set_fast(false);
  t.exited = true;
}

void Recorder::sample(ThreadState& t, void* p, size_t size) {
  uint64_t thread_seed = 0;
  if (!t.sampler.seeded) {
    // With HEAPDRIFT_SEED, the n-th thread to allocate gets the same stream every run.
    uint64_t n = thread_sequence_.fetch_add(1, std::memory_order_relaxed);
    thread_seed = thread_seed_base_ ^ (n * 0x9E3779B97F4A7C15ull);
  }
  if (!sampler_.sample(t.sampler, size, thread_seed)) return;
  if (!populated_.load(std::memory_order_relaxed)) [[unlikely]] populate_tables();

  if (t.stack.hi == 0) t.stack = current_own_stack();
  uintptr_t walk_hi;
  if (!stack_for_sample(t.stack, reinterpret_cast<uintptr_t>(__builtin_frame_address(0)), &walk_hi)) {
    live_.count_dropped();
    return;
  }
  live_.prefetch(reinterpret_cast<uintptr_t>(p));  // lands while the stack is unwound
  // Unwind first, holding no lock: libunwind may take the loader's lock and allocate.
  CapturedStack stack;
  bool libunwind = config_.unwind == UnwindMode::kLibunwind;
  std::atomic<int>* own = t.counters ? &t.counters->unwinding : nullptr;
  if (libunwind) unwind_gate_.enter(own);
  capture_stack(config_.unwind, config_.max_depth, skip_lo_, skip_hi_, walk_hi, walk_hi == t.stack.hi, &stack);
  if (libunwind) unwind_gate_.leave(own);
  const uint32_t stack_id = stacks_.intern(stack.frames, stack.depth, stack.flags, stack.methods, t.last_stack_id);
  t.last_stack_id = stack_id;

  LiveEntry entry{reinterpret_cast<uintptr_t>(p), size, allocation_time(t), stack_id, t.tid};
  live_.insert(entry);
  if (t.counters) ThreadCounters::bump(t.counters->sampled, 1);
  else CounterRegistry::add_shared(counters_.shared().sampled, 1);
}

// In a JVM whose JIT recorder is on (it published the interpreter), frames may be JIT
// code, whose names are looked up as of the allocation time (docs/JITLOG.md), and
// libunwind may have walked through them by their frame pointers without saying so:
// there every block gets the precise clock. Elsewhere the time only dates the block,
// and the coarse clock (one tick, ~4 ms) costs a fraction of the precise one, which
// was 7 % of exact mode's time. Coarse times lag: they are kept no earlier than the
// thread's last precise one, taken on its first sample (and again in a fork child), so
// that no block is dated before the process or thread that allocated it started, nor
// before the last unload of a module (the analyzer names a frame where an unloaded
// module was by the module that was there at the block's time).
uint64_t Recorder::allocation_time(ThreadState& t) {
  if (t.time_floor_ns == 0 || interpreter_frames().active()) return t.time_floor_ns = clock_ns(CLOCK_MONOTONIC);
  uint64_t floor = std::max(t.time_floor_ns, unload_floor_ns_.load(std::memory_order_relaxed));
  uint64_t coarse = clock_ns(CLOCK_MONOTONIC_COARSE);
  return coarse > floor ? coarse : floor;
}

void Recorder::on_dlclose(const std::vector<Module>& before, const std::vector<Module>& after) {
  const uint64_t now = clock_ns(CLOCK_MONOTONIC);
  if (unloaded_.record(before, after, now)) unload_floor_ns_.store(now, std::memory_order_relaxed);
}

void Recorder::prepare_fork() {
  unloaded_.prepare_fork();
  unwind_gate_.close();
  counters_.for_each([](ThreadCounters& b) { UnwindGate::wait_until_out(b.unwinding); });
  stacks_.lock();
  live_.lock_all();
}

void Recorder::parent_after_fork() {
  live_.unlock_all();
  stacks_.unlock();
  unwind_gate_.open();
  unloaded_.parent_after_fork();
}

void Recorder::child_after_fork(ThreadState& t) {
  unloaded_.child_after_fork();
  unwind_gate_.reset_after_fork();
  live_.reset_after_fork();
  stacks_.reset_lock_after_fork();
  t.tid = static_cast<uint32_t>(syscall(SYS_gettid));
  counters_.reset_after_fork(t.counters, static_cast<int>(t.tid));
  t.time_floor_ns = 0;
}

}  // namespace heapdrift
