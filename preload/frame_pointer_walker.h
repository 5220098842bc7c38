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

// Appends up to `max` return addresses to `out`; returns how many.
inline uint32_t walk_frame_pointers(uintptr_t fp, uintptr_t stack_lo, uintptr_t stack_hi,
                                    uintptr_t* out, uint32_t max) {
  uint32_t n = 0;
  while (n < max) {
    if ((fp & 7) != 0 || fp < stack_lo || fp > stack_hi - 2 * sizeof(uintptr_t)) break;
    const uintptr_t* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    uintptr_t ret = frame[1];
    if (ret < 4096) break;  // the outermost frame, or not a frame at all
    out[n++] = ret;
    if (next <= fp) break;
    fp = next;
  }
  return n;
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_FRAME_POINTER_WALKER_H
