// Turns a snapshot's raw stacks (return addresses) into interned frames, and gives
// each frame its kind. Native code goes through the symbolizer and the snapshot's own
// module map; code outside every module is JIT code, named through the process's JIT
// log (perfmap/) as it was at the sample's allocation time, since a JVM reuses its
// code cache for other methods. An interpreted frame whose Method* the shim kept is
// named by the method the log had at that address then (kind java-interpreted).
//
// The native part of a stack is cached per process image by stack id (ids are stable
// within one: the shim's stack depot is append-only); module maps are cached by
// content.
#ifndef HEAPDRIFT_ANALYZER_STACK_SYMBOLIZER_H
#define HEAPDRIFT_ANALYZER_STACK_SYMBOLIZER_H

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "frame.h"
#include "jit_code_map.h"
#include "snapshot.h"
#include "symbolizer.h"

namespace heapdrift {

class StackSymbolizer {
 public:
  StackSymbolizer(symbolizer::Options options, FrameTable& frames);

  // JIT code of the process image `snapshot` belongs to: its jit.log, if the file
  // exists. Problems reading it become warnings.
  void use_jit_log(const Snapshot& snapshot, const std::filesystem::path& log);

  // The frames of `stack` for a block allocated at `alloc_ns`, innermost first,
  // inlined calls expanded.
  std::vector<FrameId> frames(const Snapshot& snapshot, const Stack& stack, uint64_t alloc_ns);

  // Whether frames() depends on the allocation time (the stack runs through JIT code).
  bool has_jit_frames(const Snapshot& snapshot, const Stack& stack);

  std::vector<std::string> warnings() const;

  FrameTable& table() { return table_; }

 private:
  using ImageKey = std::pair<uint32_t, uint64_t>;  // pid, start time: an exec starts anew
  // A frame of the native part, or (jit_address != 0) an address in JIT code, with
  // the Method* the shim kept when it is an interpreted frame.
  struct Slot {
    uint64_t jit_address;
    uint64_t method;
    FrameId frame;
  };
  struct NativePart {
    std::vector<Slot> slots;
    bool has_jit = false;
  };

  const symbolizer::ProcessImage& image(const Snapshot& snapshot);
  const NativePart& native_part(const Snapshot& snapshot, const Stack& stack);
  // An address's slots: a range of ImageSlots::slots.
  struct AddressSlots {
    uint32_t begin, end;
  };
  struct ImageSlots {
    std::unordered_map<uint64_t, AddressSlots> by_address;
    std::vector<Slot> slots;
  };
  void add_slots(const symbolizer::ProcessImage& image, uint64_t address, std::vector<Slot>* slots);

  symbolizer::Symbolizer symbolizer_;
  FrameTable& table_;
  std::map<std::string, symbolizer::ProcessImage> images_;  // by module-map fingerprint
  std::map<std::tuple<uint32_t, uint64_t, uint32_t>, NativePart> stacks_;  // (pid, start, stack id)
  std::map<ImageKey, perfmap::JitCodeMap> jit_;
  // Stacks share most of their addresses: each is named and interned once per image,
  // its slots kept in one vector per image (a JVM's 200,000 addresses: no allocation each).
  std::unordered_map<const symbolizer::ProcessImage*, ImageSlots> slots_;
  std::vector<AddressSlots> ranges_;  // native_part's scratch: one per frame of the stack
  // The image of the snapshot seen last, by (address, pid, start, time), so that the
  // module map is not fingerprinted again for each of its stacks.
  std::tuple<const Snapshot*, uint32_t, uint64_t, uint64_t> last_snapshot_{};
  const symbolizer::ProcessImage* last_image_ = nullptr;
  std::vector<std::string> jit_warnings_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_STACK_SYMBOLIZER_H
