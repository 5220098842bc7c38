// The core of the shim: what happens to an allocation or a free once the hooks have
// called the real allocator. The hooks (interpose.cpp) own the thread-local state and
// pass it in; tests drive a Recorder directly from many threads, without LD_PRELOAD.
//
// Order of events, which the hooks keep: an allocation is recorded after the real call
// returned and before the pointer is handed to the program; a free is recorded (and
// erased from the live table) before the real free, so the address cannot be handed
// out again in between.
#ifndef HEAPDRIFT_PRELOAD_RECORDER_H
#define HEAPDRIFT_PRELOAD_RECORDER_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "config.h"
#include "live_table.h"
#include "sampler.h"
#include "stack_depot.h"
#include "thread_counters.h"
#include "thread_state.h"
#include "unloaded_modules.h"
#include "unwind_gate.h"

namespace heapdrift {

class Recorder {
 public:
  // Frames in [skip_lo, skip_hi) at the top of a captured stack (the shim's code) are
  // not recorded. `filter` is the live table's (LiveTable), unused in exact mode.
  Recorder(const Config& config, uintptr_t skip_lo, uintptr_t skip_hi, PageFilter& filter);

  // Exact mode counts the usable bytes of every block, so the hooks must pass them
  // (malloc_usable_size on both sides); at other rates only calls are counted, and
  // the usable sizes passed are ignored.
  bool counts_bytes() const { return sampler_.exact(); }

  // The fast paths, for a thread on its fast path (ThreadState::mode): a count, no
  // guard. The hooks ask the live table's filter themselves, and call on_free() when
  // it says the block may be a sample.
  static void count_alloc_fast(ThreadState& t) { ThreadCounters::bump(t.fast.alloc_calls, 1); }
  static void count_free_fast(ThreadState& t) { ThreadCounters::bump(t.fast.free_calls, 1); }

  // The slow path of an allocation. The guard must be set by the caller: sampling
  // unwinds, and unwinding may allocate.
  void on_alloc(ThreadState& t, void* p, size_t size, size_t usable) {
    count(t, true, usable);
    if (Sampler::countdown(t.sampler, size)) [[unlikely]] sample(t, p, size);
  }
  // The fast path counted the allocation and its countdown ran out (guard set).
  void sample(ThreadState& t, void* p, size_t size);
  // In exact mode, lets on_free()'s table look-up start before the caller asks the
  // usable size (elsewhere the filter rules out most frees that get here).
  void prefetch_free(void* p) const {
    if (counts_bytes()) live_.prefetch(reinterpret_cast<uintptr_t>(p));
  }
  void on_free(ThreadState& t, void* p, size_t usable) {
    count(t, false, usable);
    live_.erase(reinterpret_cast<uintptr_t>(p));
  }

  // realloc: the old block stays recorded until the real call succeeded. take() removes
  // it (returning whether it was sampled), restore() puts it back after a failure.
  bool take(void* p, LiveEntry* entry) { return live_.erase(reinterpret_cast<uintptr_t>(p), entry); }
  void restore(const LiveEntry& entry) { live_.insert(entry); }
  void count_free(ThreadState& t, size_t usable) { count(t, false, usable); }

  // Called once per thread, when it first allocates (the shim registers its
  // thread-exit handler there), with the guard set.
  using AttachCallback = void (*)(ThreadState&);
  void set_attach_callback(AttachCallback callback) { on_attach_ = callback; }
  // The thread is exiting: its counters block goes back to the pool.
  void detach(ThreadState& t);

  const Config& config() const { return config_; }
  const Sampler& sampler() const { return sampler_; }
  LiveTable& live() { return live_; }
  StackDepot& stacks() { return stacks_; }
  Totals totals() { return counters_.sum(); }
  uint64_t threads_seen() const { return counters_.threads_seen(); }
  UnloadedModules& unloaded_modules() { return unloaded_; }
  // After a dlclose: the modules of `before` that `after` lacks are kept as unloaded
  // now, and no block allocated from now on is dated earlier (allocation_time).
  void on_dlclose(const std::vector<Module>& before, const std::vector<Module>& after);

  // fork: prepare takes the unloaded modules' lock, closes the unwind gate and takes
  // every other lock of the recorder, always in that order; parent releases them;
  // child resets them and starts clean (empty live table, zero counts).
  void prepare_fork();
  void parent_after_fork();
  void child_after_fork(ThreadState& forking_thread);

 private:
  void count(ThreadState& t, bool alloc, size_t usable) {
    if (!counts_bytes()) usable = 0;
    ThreadCounters* c = t.counters;
    if (!c) [[unlikely]] return count_unattached(t, alloc, usable);
    alloc ? c->on_alloc(usable) : c->on_free(usable);
  }
  // First count of a thread (attaches a block), or a count after the thread's exit.
  void count_unattached(ThreadState& t, bool alloc, size_t usable);
  uint64_t allocation_time(ThreadState& t);
  // Once, at the process's first sample: faults in the tables samples write at random.
  void populate_tables();

  Config config_;
  Sampler sampler_;
  uintptr_t skip_lo_, skip_hi_;
  uint64_t thread_seed_base_;
  std::atomic<uint64_t> thread_sequence_{0};
  std::atomic<bool> populated_{false};
  AttachCallback on_attach_ = nullptr;
  LiveTable live_;
  StackDepot stacks_;
  CounterRegistry counters_;
  UnwindGate unwind_gate_;
  UnloadedModules unloaded_;
  std::atomic<uint64_t> unload_floor_ns_{0};  // the last unload's time
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_RECORDER_H
