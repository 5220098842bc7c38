// How many compiled versions of each Java method are alive at a time, by a JVM's JIT
// log (docs/JITLOG.md): loaded and not yet unloaded. HotSpot keeps a method's replaced
// code (deoptimized, recompiled, its native entry re-registered) until its sweeper or
// class unloading frees it; a method compiled again and again while the old versions
// stay is the code cache's own leak, which no malloc sample shows.
#ifndef HEAPDRIFT_PERFMAP_COMPILED_VERSIONS_H
#define HEAPDRIFT_PERFMAP_COMPILED_VERSIONS_H

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "jit_log_reader.h"

namespace heapdrift::perfmap {

struct CompiledVersions {
  std::string function;   // "pkg.Class.method"
  std::string signature;  // "(J)J"
  // At each of the times asked for: the versions alive, and their code's bytes.
  std::vector<uint32_t> versions;
  std::vector<uint64_t> bytes;
};

// For each method with code alive at one of `times_ns` (CLOCK_MONOTONIC, ascending) in
// the log's last session (the process's current image). A load at an address whose
// code was never unloaded ends that code (the range was reused), unless it is the same
// code reported again (the agent's replay at VMInit).
std::vector<CompiledVersions> compiled_versions(const JitLog& log, std::span<const uint64_t> times_ns);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_COMPILED_VERSIONS_H
