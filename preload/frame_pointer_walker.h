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

// The same on a stack other than the thread's own, which nothing bounds beforehand: a
// goroutine's, in Go's heap. A cgo call runs its C code on the thread's stack, and
// unwinding ends at the Go runtime's trampoline (runtime.asmcgocall), which has no
// frame of its own: rbp there is still the goroutine's, and Go keeps frame pointers.
// So every page a read touches is first proven readable (`readable(page)`, a system
// call; the last page proven is remembered), frames must go up, and each return
// address must pass `is_code` (in a loaded object: a garbage rbp that happens to point
// at readable memory then ends the walk at once, rather than giving frames).
template <class Readable, class IsCode, class Visit>
inline void walk_frame_pointers_elsewhere(uintptr_t fp, Readable&& readable, IsCode&& is_code, Visit&& visit) {
  constexpr uintptr_t kPageMask = ~uintptr_t{4095};
  uintptr_t proven = 0;  // a page proven readable, 0 before any
  auto can_read = [&](uintptr_t a) {
    uintptr_t page = a & kPageMask;
    if (page == proven) return true;
    if (!readable(page)) return false;
    proven = page;
    return true;
  };
  for (;;) {
    // Both words of the frame: they straddle two pages when fp is a page's last word.
    if ((fp & 7) != 0 || fp < 4096 || fp > UINTPTR_MAX - 16 || !can_read(fp) || !can_read(fp + 8)) return;
    const uintptr_t* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next = frame[0];
    uintptr_t ret = frame[1];
    if (ret < 4096 || !is_code(ret)) return;
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
