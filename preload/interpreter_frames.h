// Where a JVM's interpreter runs and where its frames keep their Method*, as published
// by the JIT recorder (libheapdrift_jvmti.so) running in the same process.
//
// The shim cannot tell an interpreted frame from others by itself: the template
// interpreter is code the JVM generates at start-up. The recorder learns its range from
// JVMTI (DynamicCodeGenerated "Interpreter") and, only for a JVM whose frame layout was
// verified (docs/JITLOG.md, "Interpreted frames"), hands it over through
// heapdrift_publish_interpreter_v1, found with dlsym. For a frame whose return address
// lies in a published range, the stack walk then keeps the word at
// frame pointer + method_slot_offset (HotSpot's Method*) beside the frame: stored,
// never dereferenced; the analyzer names it through the recorder's log.
//
// Lock-free for readers (the sampling path): ranges are appended, never removed, and
// published with release stores; writers (rare: once per JVM) take a spin lock.
#ifndef HEAPDRIFT_PRELOAD_INTERPRETER_FRAMES_H
#define HEAPDRIFT_PRELOAD_INTERPRETER_FRAMES_H

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace heapdrift {

class InterpreterFrames {
 public:
  static constexpr unsigned kMaxRanges = 8;
  // The offsets a caller may ask for: below the frame pointer, within the fixed part of
  // an interpreter frame, word-aligned.
  static constexpr intptr_t kMinSlotOffset = -16 * 8, kMaxSlotOffset = -8;

  // Adds [start, start + size) as interpreter code whose frames hold their Method* at
  // fp + method_slot_offset. False (nothing changed) for an empty range, an offset out
  // of bounds or different from an earlier one, or when full. A range published again
  // is accepted once.
  bool publish(uintptr_t start, size_t size, intptr_t method_slot_offset);

  // Whether anything was published: the walk skips all checks otherwise.
  bool active() const { return count_.load(std::memory_order_acquire) != 0; }

  // For the return address `pc` of a frame: the method slot's offset from that frame's
  // frame pointer when the call was made from interpreter code, else 0.
  intptr_t method_slot(uintptr_t pc) const {
    uint32_t n = count_.load(std::memory_order_acquire);
    for (uint32_t i = 0; i < n; ++i) {
      // pc - 1: the call instruction, as for every return address.
      if (pc - 1 - ranges_[i].start < ranges_[i].size) return slot_offset_;
    }
    return 0;
  }

 private:
  struct Range {
    uintptr_t start;
    size_t size;
  };
  Range ranges_[kMaxRanges] = {};
  intptr_t slot_offset_ = 0;
  std::atomic<uint32_t> count_{0};
  std::atomic_flag writing_ = ATOMIC_FLAG_INIT;
};

// The process's instance, filled by the recorder through the exported function below.
InterpreterFrames& interpreter_frames();

// Reads the word at fp + offset if that word lies inside [lo, hi) and is aligned;
// 0 otherwise. Never reads anywhere else.
inline uintptr_t read_frame_slot(uintptr_t fp, intptr_t offset, uintptr_t lo, uintptr_t hi) {
  uintptr_t slot = fp + static_cast<uintptr_t>(offset);
  if ((slot & 7) != 0 || slot < lo || hi < sizeof(uintptr_t) || slot > hi - sizeof(uintptr_t)) return 0;
  if (offset < 0 ? slot > fp : slot < fp) return 0;  // wrapped around
  return *reinterpret_cast<const uintptr_t*>(slot);
}

}  // namespace heapdrift

// The entry point the recorder calls (exported by libheapdrift.so; exports.map). The
// version suffix names this contract: a range of interpreter code and the offset of the
// Method* slot from an interpreter frame's frame pointer, in bytes. Returns 1 when
// accepted, 0 when not.
extern "C" int heapdrift_publish_interpreter_v1(const void* start, size_t size, long method_slot_offset);

#endif  // HEAPDRIFT_PRELOAD_INTERPRETER_FRAMES_H
