// Captures the current thread's call stack as return addresses, innermost first.
//
// By learned frame rules first (frame_rules.h): each return address's rule says where
// its frame's caller is (frame-pointer code, or a fixed offset from the stack
// pointer), so the walk is a table look-up and one or two loads a frame, with no
// libunwind and no lock. A return address without a rule sends the capture to
// libunwind's step-by-step walk, which learns the rule of every frame it steps from.
// Code outside every loaded object (JIT-compiled Java) never gets a rule: the walk
// goes on from there through frame pointers (frame_pointer_walker.h), which HotSpot
// keeps under -XX:+PreserveFramePointer. Frames that no rule fits (signal frames) send
// the capture to unw_backtrace. In UnwindMode::kFramePointer the whole walk uses frame
// pointers: faster, but blind to code built without them. docs/UNWINDING.md has the
// method and its limits.
//
// Interpreted Java frames: for a frame whose return address lies in the JVM's
// interpreter (as published by the JIT recorder, interpreter_frames.h), the word the
// interpreter keeps at a fixed offset below that frame's frame pointer (the Method*)
// is kept beside the frame, read only inside the stack bounds. Every walk knows each
// frame's frame pointer: the rules' walk and libunwind's cursor as RBP, the
// frame-pointer walk as the saved fp next to the return address.
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

struct CapturedStack {
  uintptr_t frames[kMaxMaxDepth];
  // methods[i]: the Method* slot of frame i when it is an interpreted frame, else 0.
  // Meaningful only with format::kStackInterpreterMethods in flags.
  uintptr_t methods[kMaxMaxDepth];
  uint32_t depth;
  uint16_t flags;  // format::kStackTruncated, kStackFramePointer, kStackInterpreterMethods
};

// Looks up, once at start-up, what the walks use from the loader. Never later: glibc
// code keeps a pointer to the thread's dlerror() result across the mallocs it makes
// (dlerror's own message is formatted into one), and any dlsym, dlopen or dlclose from
// inside such a malloc frees that result under it. Walks before it use dladdr.
void prepare_stack_capture();

// Frames whose address is inside [skip_lo, skip_hi) at the top of the stack (the
// shim's own) are left out. No word at or above `stack_hi` is read by the walks of
// the shim's own (every page below it, down to the caller's frame, must be readable:
// stack_extent.h); libunwind's follow the unwind tables. `own_stack`: the walk starts
// on the thread's own stack, not on a fiber's or a signal stack. Only from there may it
// go on to another stack where unwinding ends (a goroutine's, past a cgo call: a
// fiber's end leads to its creator's stale frames instead).
void capture_stack(UnwindMode mode, uint32_t max_depth, uintptr_t skip_lo, uintptr_t skip_hi,
                   uintptr_t stack_hi, bool own_stack, CapturedStack* out);

// The frame-pointer walk from the frame whose frame pointer is `fp`, appended to `out`
// (whose depth and flags the caller has set), with interpreted frames' Method* slots
// read as `interpreter` says. capture_stack's second half; tests run it on fake stacks.
void capture_frame_pointer_chain(uintptr_t fp, uintptr_t stack_lo, uintptr_t stack_hi,
                                 const InterpreterFrames& interpreter, uint32_t max_depth,
                                 CapturedStack* out);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_STACK_CAPTURE_H
