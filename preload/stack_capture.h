// Captures the current thread's call stack as return addresses, innermost first.
//
// libunwind follows DWARF unwind info: unw_backtrace first, which memoises each return
// address's frame layout in a per-thread cache (no lock once warm, ~80 instructions a
// frame here). Code without unwind info (JIT-compiled Java) stops it; then the walk
// is redone step by step (unw_step, behind libunwind's global cache lock in Debian's
// build) and goes on from there through frame pointers (frame_pointer_walker.h),
// which HotSpot keeps under -XX:+PreserveFramePointer. In UnwindMode::kFramePointer
// the whole walk uses frame pointers: faster, but blind to code built without them.
//
// Interpreted Java frames: for a frame whose return address lies in the JVM's
// interpreter (as published by the JIT recorder, interpreter_frames.h), the word the
// interpreter keeps at a fixed offset below that frame's frame pointer (the Method*)
// is kept beside the frame, read only inside the stack bounds. Both walks know each
// frame's frame pointer: libunwind's cursor has it as RBP, the frame-pointer walk as
// the saved fp next to the return address.
//
// Calls into libunwind may take the loader's lock (dl_iterate_phdr), libunwind's own
// global cache lock, and allocate: callers must hold no lock of the shim, have the
// re-entrancy guard set, and be inside the UnwindGate (unwind_gate.h) so that fork
// waits for them.
#ifndef HEAPDRIFT_PRELOAD_STACK_CAPTURE_H
#define HEAPDRIFT_PRELOAD_STACK_CAPTURE_H

#include <cstdint>

#include "config.h"
#include "interpreter_frames.h"

namespace heapdrift {

struct StackBounds {
  uintptr_t lo = 0;  // the walk never reads below the capturing frame
  uintptr_t hi = 0;  // the top of the thread's stack
};

// An upper bound of the calling thread's stack; takes no lock, allocates nothing.
uintptr_t current_stack_top();

struct CapturedStack {
  uintptr_t frames[kMaxMaxDepth];
  // methods[i]: the Method* slot of frame i when it is an interpreted frame, else 0.
  // Meaningful only with format::kStackInterpreterMethods in flags.
  uintptr_t methods[kMaxMaxDepth];
  uint32_t depth;
  uint16_t flags;  // format::kStackTruncated, kStackFramePointer, kStackInterpreterMethods
};

// Frames whose address is inside [skip_lo, skip_hi) at the top of the stack (the
// shim's own) are left out. `stack_hi` bounds the frame-pointer walk.
void capture_stack(UnwindMode mode, uint32_t max_depth, uintptr_t skip_lo, uintptr_t skip_hi,
                   uintptr_t stack_hi, CapturedStack* out);

// The frame-pointer walk from the frame whose frame pointer is `fp`, appended to `out`
// (whose depth and flags the caller has set), with interpreted frames' Method* slots
// read as `interpreter` says. capture_stack's second half; tests run it on fake stacks.
void capture_frame_pointer_chain(uintptr_t fp, uintptr_t stack_lo, uintptr_t stack_hi,
                                 const InterpreterFrames& interpreter, uint32_t max_depth,
                                 CapturedStack* out);

// Asks libunwind for per-thread caching (where its build has it) and runs one unwind,
// so that its lazy set-up happens before the allocation hooks go live.
void warm_up_unwinder();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_STACK_CAPTURE_H
