// Turns a snapshot's raw stacks (return addresses) into interned frames, and gives
// each frame its kind. Native code goes through the symbolizer and the snapshot's own
// module map; code outside every module is JIT code, named through the process's JIT
// log (perfmap/) as it was at the sample's allocation time, since a JVM reuses its
// code cache for other methods. An interpreted frame whose Method* the shim kept is
// named by the method the log had at that address then (kind java-interpreted).
// Likewise, an address in a module that dlclose unloaded is named by the module that
// held it when the block was allocated: the unloaded one if it left after that time,
// else what holds the address now (docs/FORMAT.md, "Unloaded modules"). An address in
// a second mapping of a module's code (V8's builtins) is named as in the module.
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

  // JIT code of the process image `snapshot` belongs to, from the files in its
  // directory: the JVM recorder's jit.log if there is one (problems reading it become
  // warnings), else the shim's copy of the process's perf map (any other JIT; a
  // malformed copy throws std::runtime_error).
  void use_jit_code(const Snapshot& snapshot, const std::filesystem::path& process_dir);

  // The JIT code that use_jit_code read for the process image `process` belongs to, or
  // nullptr if it was not asked to.
  const perfmap::JitCodeMap* jit_code(const ProcessInfo& process) const;

  // The frames of `stack` for a block allocated at `alloc_ns`, innermost first,
  // inlined calls expanded.
  std::vector<FrameId> frames(const Snapshot& snapshot, const Stack& stack, uint64_t alloc_ns);

  // Whether frames() depends on the allocation time (the stack runs through JIT code,
  // or through addresses where an unloaded module was).
  bool depends_on_time(const Snapshot& snapshot, const Stack& stack);

  std::vector<std::string> warnings() const;

  FrameTable& table() { return table_; }

 private:
  using ImageKey = std::pair<uint32_t, uint64_t>;  // pid, start time: an exec starts anew
  // A frame of the native part, or (timed_address != 0) an address named per sample:
  // JIT code, with the Method* the shim kept when it is an interpreted frame, or an
  // address where an unloaded module was (`unloaded`).
  struct Slot {
    uint64_t timed_address;
    uint64_t method;
    FrameId frame;
    bool unloaded = false;
  };
  struct NativePart {
    std::vector<Slot> slots;
    bool timed = false;
  };
  // The executable spans of a process's unloaded modules, each with its own image,
  // from its latest snapshot: the list only grows, and a module's time only moves on.
  struct UnloadedCode {
    struct Span {
      uint64_t lo, hi, unloaded_ns;
      const symbolizer::ProcessImage* image;
    };
    uint64_t snapshot_mono_ns = 0;
    std::vector<UnloadedModule> modules;
    std::vector<Span> spans;
  };

  // Code that a module maps a second time, away from where the loader put it: V8
  // copies its builtins next to the code it compiles (a mapping of the executable's own
  // file), so that JIT code reaches them with short calls. An address in such a copy
  // is named as the same byte where the loader put the module: address + delta.
  struct Alias {
    uint64_t lo, hi;
    uint64_t delta;  // modulo 2^64
  };
  const std::vector<Alias>& aliases(const Snapshot& snapshot);

  const symbolizer::ProcessImage& image(const Snapshot& snapshot);
  const symbolizer::ProcessImage& image_of(const std::vector<Module>& modules);
  const UnloadedCode& unloaded_code(const Snapshot& snapshot);
  // The image of the unloaded module that held `address` at `alloc_ns`, or nullptr.
  static const symbolizer::ProcessImage* unloaded_image(const UnloadedCode& code, uint64_t address,
                                                        uint64_t alloc_ns);
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
  // `address`'s slots in `image`, named on first use.
  AddressSlots slots_of(const symbolizer::ProcessImage& image, uint64_t address);
  // Appends the frames of a JIT address at `alloc_ns` (the method of an interpreted
  // frame when `method` is set).
  struct JitCode {
    perfmap::JitCodeMap map;
    bool jvm = false;  // else a perf map's names are another runtime's (V8's JavaScript, …)
  };
  void add_jit_frames(const JitCode* jit, uint64_t address, uint64_t method, uint64_t alloc_ns,
                      std::vector<FrameId>* out);

  symbolizer::Symbolizer symbolizer_;
  FrameTable& table_;
  std::map<std::string, symbolizer::ProcessImage> images_;  // by module-map fingerprint
  std::map<std::tuple<uint32_t, uint64_t, uint32_t>, NativePart> stacks_;  // (pid, start, stack id)
  std::map<ImageKey, JitCode> jit_;
  std::map<ImageKey, UnloadedCode> unloaded_;
  std::map<ImageKey, std::vector<Alias>> aliases_;
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
