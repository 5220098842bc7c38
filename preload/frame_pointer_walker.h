// Walks the chain of saved frame pointers: at a frame pointer fp, [fp] holds the
// caller's frame pointer and [fp + 8] the return address into the caller (x86-64
// System V, and JIT code run with -XX:+PreserveFramePointer).
//
// A frame pointer may be garbage (code built without frame pointers uses the register
// for data), so every read is checked first: fp must be 8-aligned and lie inside
// [stack_lo, stack_hi) together with the word after it, and each caller's frame must
// be strictly above the callee's. Memory outside the thread's stack is never read.
#ifndef HEAPDRIFT_PRELOAD_FRAME_POINTER_WALKER_H
#define HEAPDRIFT_PRELOAD_FRAME_POINTER_WALKER_H

#include <cstdint>

namespace heapdrift {

// Calls visit(return_address, caller_fp) for each frame, outward, until visit returns
// false or the chain ends. The return address is a pc in the caller, and caller_fp
// ([fp]) is the caller's own frame pointer, the one its frame slots hang from: so the
// two belong to the same frame. caller_fp is unchecked (it may be the garbage that
// ends the walk); a visitor reading through it must check it itself.
template <class Visit>
inline void walk_frame_pointers(uintptr_t fp, uintptr_t stack_lo, uintptr_t stack_hi, Visit&& visit) {
  for (;;) {
    if ((fp & 7) != 0 || fp < stack_lo || stack_hi < 2 * sizeof(uintptr_t) ||
        fp > stack_hi - 2 * sizeof(uintptr_t)) {
      return;
    }
    const uintptr_t* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    uintptr_t ret = frame[1];
    if (ret < 4096) return;  // the outermost frame, or not a frame at all
    if (!visit(ret, next)) return;
    if (next <= fp) return;
    fp = next;
  }
}

// Appends up to `max` return addresses to `out`; returns how many.
inline uint32_t walk_frame_pointers(uintptr_t fp, uintptr_t stack_lo, uintptr_t stack_hi, uintptr_t* out,
                                    uint32_t max) {
  uint32_t n = 0;
  if (max == 0) return 0;
  walk_frame_pointers(fp, stack_lo, stack_hi, [&](uintptr_t ret, uintptr_t) {
    out[n++] = ret;
    return n < max;
  });
  return n;
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_FRAME_POINTER_WALKER_H
