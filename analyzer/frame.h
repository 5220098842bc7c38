// Symbolized frames, interned: every distinct frame of a run is stored once and named
// by a FrameId, so stacks and sites are small vectors of ids.
#ifndef HEAPDRIFT_ANALYZER_FRAME_H
#define HEAPDRIFT_ANALYZER_FRAME_H

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "frame_kind.h"

namespace heapdrift {

// An index that cannot be mixed up with another kind of index (after heaptrack's
// indices.h).
template <class Tag>
struct Index {
  uint32_t value = 0;
  auto operator<=>(const Index&) const = default;
};

using FrameId = Index<struct FrameTag>;

struct Frame {
  std::string function;   // demangled, without parameters; or "libfoo.so+0x1a2b", "0x7f..."
  std::string signature;  // with parameters when known, else = function
  std::string file;       // source path as DWARF records it; "" when unknown
  uint32_t line = 0;
  std::string module;     // path of the module; "" outside every module
  FrameKind kind = FrameKind::kUnknown;
  bool inlined = false;   // inlined into the next (outer) frame

  bool operator==(const Frame&) const = default;
};

// "file.cpp:42" (the file's base name), "file.cpp" without a line, "" without a file.
std::string source_location(const Frame& frame);
// The base name of the frame's module ("libfoo.so"), "" outside every module.
std::string module_name(const Frame& frame);

class FrameTable;
inline constexpr size_t kNoFrame = SIZE_MAX;
// The index of the Java method (or script function, or Go function calling through
// cgo) a site is known by: the innermost one outside the JDK's own packages (the
// runtime's own scripts, Go's runtime and cgo wrappers), else the innermost one;
// kNoFrame when the stack has none.
size_t caller_frame(const std::vector<FrameId>& frames, const FrameTable& table);
// A site in one line: its innermost function and where it is; when that frame has no
// name, the first named native frame outward; and for native code called from Java, the
// Java method that called it: the innermost one outside the JDK's own packages, else
// the innermost; without one, for the JVM's code reached through JNI, the function that
// called JNI ("(no stack)" if no frame at all).
std::string site_name(const std::vector<FrameId>& frames, const FrameTable& table);

class FrameTable {
 public:
  FrameId intern(const Frame& frame);
  const Frame& operator[](FrameId id) const { return frames_[id.value]; }
  size_t size() const { return frames_.size(); }

 private:
  // Open addressing, at most half full: a look-up reads one slot's line, then the frame
  // only when the whole hash matches (a node-based map's buckets and nodes were 5 % of
  // a JVM symbolization's time).
  struct Slot {
    uint64_t hash = 0;
    uint32_t id_plus_one = 0;  // 0: empty
  };
  void grow();

  std::vector<Frame> frames_;
  std::vector<Slot> slots_;
  unsigned bits_ = 0;  // slots_.size() == 1 << bits_, once not empty
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_FRAME_H
