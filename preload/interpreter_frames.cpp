#include "interpreter_frames.h"

namespace heapdrift {

bool InterpreterFrames::publish(uintptr_t start, size_t size, intptr_t method_slot_offset) {
  if (size == 0 || start + size < start || method_slot_offset < kMinSlotOffset ||
      method_slot_offset > kMaxSlotOffset || (method_slot_offset & 7) != 0) {
    return false;
  }
  while (writing_.test_and_set(std::memory_order_acquire)) {
  }
  bool ok = false;
  uint32_t n = count_.load(std::memory_order_relaxed);
  bool known = false;
  for (uint32_t i = 0; i < n; ++i) known |= ranges_[i].start == start && ranges_[i].size == size;
  if (n != 0 && method_slot_offset != slot_offset_) {
    ok = false;  // one JVM per process: one layout
  } else if (known) {
    ok = true;
  } else if (n < kMaxRanges) {
    ranges_[n] = {start, size};
    slot_offset_ = method_slot_offset;
    count_.store(n + 1, std::memory_order_release);
    ok = true;
  }
  writing_.clear(std::memory_order_release);
  return ok;
}

namespace {
constinit InterpreterFrames g_interpreter_frames;  // no constructor runs, nothing allocated
}

InterpreterFrames& interpreter_frames() { return g_interpreter_frames; }

}  // namespace heapdrift

extern "C" __attribute__((visibility("default"))) int heapdrift_publish_interpreter_v1(const void* start,
                                                                                         size_t size,
                                                                                         long method_slot_offset) {
  return heapdrift::interpreter_frames().publish(reinterpret_cast<uintptr_t>(start), size, method_slot_offset) ? 1
                                                                                                                : 0;
}
