// Turns a snapshot's raw stacks (return addresses) into interned frames, through the
// symbolizer and the snapshot's own module map, and gives each frame its kind.
// Stacks are cached per process image by their id (ids are stable within one: the
// shim's stack depot is append-only), module maps by content.
#ifndef HEAPDRIFT_ANALYZER_STACK_SYMBOLIZER_H
#define HEAPDRIFT_ANALYZER_STACK_SYMBOLIZER_H

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "frame.h"
#include "snapshot.h"
#include "symbolizer.h"

namespace heapdrift {

class StackSymbolizer {
 public:
  StackSymbolizer(symbolizer::Options options, FrameTable& frames);

  // The frames of `stack`, innermost first, inlined calls expanded.
  const std::vector<FrameId>& frames(const Snapshot& snapshot, const Stack& stack);

  // Problems met (missing files, build-id mismatches), each once.
  std::vector<std::string> warnings() const { return symbolizer_.warnings(); }

  FrameTable& table() { return table_; }

 private:
  const symbolizer::ProcessImage& image(const Snapshot& snapshot);

  symbolizer::Symbolizer symbolizer_;
  FrameTable& table_;
  std::map<std::string, symbolizer::ProcessImage> images_;  // by module-map fingerprint
  // By (pid, start time, stack id): an exec starts a new stack depot under the same pid.
  std::map<std::tuple<uint32_t, uint64_t, uint32_t>, std::vector<FrameId>> stacks_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_STACK_SYMBOLIZER_H
