// What the JIT log says of a process's compiled Java code over the snapshots judged: how
// much of it was alive at the first and at the last (the JIT's share of the code cache,
// which no malloc sample shows), and the methods whose live compiled versions number
// many and grow through the run, in both halves of it, as a method recompiled without
// end does: the code cache's own leak (docs/LEAK_RANKING.md, "Compiled code that keeps
// growing").
#ifndef HEAPDRIFT_ANALYZER_CODE_GROWTH_H
#define HEAPDRIFT_ANALYZER_CODE_GROWTH_H

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "jit_code_map.h"

namespace heapdrift {

// A Java method whose compiled versions alive keep growing.
struct CodeGrowth {
  std::string function, signature;
  uint32_t versions_first = 0, versions_last = 0;  // at the first and the last snapshot judged
  uint64_t code_bytes_last = 0;
  // The copies of its class that the versions alive at the last belong to (by
  // jmethodID): as many as the versions, a class loaded again and again, each copy
  // compiled anew; one, a method compiled again and again. 0 when the log does not say.
  uint32_t class_copies_last = 0;
};

// The code of every compiled Java method alive, in bytes (its instructions: HotSpot's
// nmethods carry their metadata besides).
struct CompiledCodeBytes {
  uint64_t first = 0, last = 0;  // at the first and the last snapshot judged
};

struct CompiledCode {
  CompiledCodeBytes bytes;
  std::vector<CodeGrowth> growth;  // most versions first; none with fewer than 3 snapshots
};

// Over the snapshots judged, taken at `judged_ns` (ascending, at least one), from the
// process's JIT code as the symbolizer read it from its JIT log (StackSymbolizer::jit_code).
CompiledCode compiled_code(std::span<const uint64_t> judged_ns, const perfmap::JitCodeMap& code);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_CODE_GROWTH_H
