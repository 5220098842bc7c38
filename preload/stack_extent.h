// Which stack a sampled call runs on, and how much of it the sample may use.
//
// A sample needs room below the allocating frame (capture, depot, live table: ~11 KiB
// measured, the most with libunwind; kSampleStackRoom is asked for), and its walk reads
// the stack above that frame up to a bound below which every page is mapped.
//
// On the thread's own stack the bound is the stack's top. What lies between is the
// thread's stack, proven readable page by page from the top down, once per thread
// (`proven_lo`), so that the usual sample makes no system call. A thread with a small
// stack (PTHREAD_STACK_MIN is 16 KiB) where the program alone fits has its samples
// dropped rather than overflow into its guard page.
//
// A thread may also run on a stack the program made: a fiber's (makecontext,
// boost.context), an alternate signal stack. Between such a frame and the top of the
// thread's own stack lies anything, holes included, so the walk is bounded there by the
// readable run of pages above the frame (kForeignSpan at most), and the room below is
// tested on every such sample: nothing is remembered of a stack the program may free.
// A stack is the thread's own when every page from the frame up to its top is
// readable: the own stack's guard page (or, for the main thread, the unmapped gap
// below its stack) lies between it and any other.
//
// The main thread's stack grows on demand: the room below its frame is not mapped yet,
// and is tested against RLIMIT_STACK instead, which the kernel measures from the end of
// the stack's mapping (above the arguments and environment). The limit is read at the
// thread's first sample, and again when a sample would pass it (it may have been
// raised); a limit the program lowers at run time is not seen. A stack without a guard
// page (a fiber's in memory from malloc) cannot be told from the memory below it.
#ifndef HEAPDRIFT_PRELOAD_STACK_EXTENT_H
#define HEAPDRIFT_PRELOAD_STACK_EXTENT_H

#include <cstdint>

namespace heapdrift {

inline constexpr uintptr_t kSampleStackRoom = 16 * 1024;
inline constexpr uintptr_t kForeignSpan = 64 * 1024;

// The calling thread's own stack, as ThreadState keeps it (zero before its first sample).
struct OwnStack {
  uintptr_t hi;         // its top: current_stack_top()
  uintptr_t proven_lo;  // [proven_lo, hi) is proven readable; 0 before the first test
  bool grows;           // the main thread's, which grows on demand
  uintptr_t floor;      // where it grows: the lowest address its limit lets it reach;
                        // 0 before it is read, 1 for no limit
};

// An upper bound of the calling thread's own stack; takes no lock, allocates nothing.
uintptr_t current_stack_top();
// The calling thread's own stack, nothing proven yet.
OwnStack current_own_stack();

// For a sample whose frame is at `sp`: false when there is no room below it (the
// sample is to be dropped); else *walk_hi is where its walk must stop, every page of
// [sp, *walk_hi) readable.
bool stack_for_sample(OwnStack& own, uintptr_t sp, uintptr_t* walk_hi);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_STACK_EXTENT_H
