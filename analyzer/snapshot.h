// The in-memory model of one snapshot file (docs/FORMAT.md), as plain values: the
// reader fills it after validating everything, so users never see a half-read file.
#ifndef HEAPDRIFT_ANALYZER_SNAPSHOT_H
#define HEAPDRIFT_ANALYZER_SNAPSHOT_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "snapshot_format.h"

namespace heapdrift {

using KeyValues = std::map<std::string, uint64_t>;

// The figure `key` of `kv`; 0 where the file has none (a key its shim did not write yet).
inline double value_or_zero(const KeyValues& kv, const char* key) {
  auto it = kv.find(key);
  return it == kv.end() ? 0.0 : double(it->second);
}

struct ProcessInfo {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint32_t sequence = 0;
  format::Trigger trigger = format::Trigger::kPeriodic;
  uint64_t wall_ns = 0;  // CLOCK_REALTIME when the snapshot was taken
  uint64_t mono_ns = 0;  // CLOCK_MONOTONIC, the clock of Sample::alloc_mono_ns
  uint64_t start_wall_ns = 0;
  uint64_t start_mono_ns = 0;
  uint64_t sample_rate = 0;  // mean bytes between samples; 1 = every allocation
  uint32_t max_depth = 0;
  std::string exe;
  std::string cmdline;  // as written: arguments separated by NUL bytes

  // The arguments of `cmdline` (a trailing NUL, as /proc gives it, adds no argument).
  std::vector<std::string> arguments() const;

  bool operator==(const ProcessInfo&) const = default;
};

struct MemoryInfo {
  std::string allocator;  // "glibc", "jemalloc", ...
  KeyValues values;       // rss_bytes, malloc.*, jemalloc.*
  std::string smaps_rollup;

  bool operator==(const MemoryInfo&) const = default;
};

struct Segment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t offset = 0;
  uint32_t flags = 0;  // ELF PF_X = 1, PF_W = 2, PF_R = 4

  bool operator==(const Segment&) const = default;
};

struct Module {
  std::string path;
  uint64_t load_bias = 0;
  std::vector<uint8_t> build_id;
  std::vector<Segment> segments;

  bool operator==(const Module&) const = default;
};

// A module that dlclose unloaded before the snapshot, and when (on the clock of
// Sample::alloc_mono_ns).
struct UnloadedModule {
  Module module;
  uint64_t unloaded_mono_ns = 0;

  bool operator==(const UnloadedModule&) const = default;
};

struct Mapping {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t offset = 0;
  uint32_t prot = 0;  // format::kProt* bits
  std::string path;

  bool operator==(const Mapping&) const = default;
};

struct Stack {
  uint32_t id = 0;
  uint16_t flags = 0;             // format::kStack* bits
  std::vector<uint64_t> frames;   // return addresses, innermost first
  // Parallel to frames when the stack has interpreted frames (frame_methods section):
  // the Method* kept in each interpreted frame, 0 for other frames. Empty otherwise.
  std::vector<uint64_t> methods;

  bool operator==(const Stack&) const = default;
};

struct Sample {
  uint64_t address = 0;
  uint64_t size = 0;
  uint64_t alloc_mono_ns = 0;
  double weight = 0;  // size × weight estimates the live bytes this sample stands for
  uint32_t stack_id = 0;  // format::kOverflowStackId = no stack
  uint32_t tid = 0;

  bool operator==(const Sample&) const = default;
};

struct Snapshot {
  ProcessInfo process;
  KeyValues counters;
  std::optional<MemoryInfo> memory;  // the one section that may be absent
  std::vector<Module> modules;
  std::vector<UnloadedModule> unloaded_modules;  // empty in files of older shims
  std::vector<Mapping> maps;
  std::map<uint32_t, Stack> stacks;  // by id; every non-zero Sample::stack_id is here
  std::vector<Sample> samples;

  bool operator==(const Snapshot&) const = default;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_SNAPSHOT_H
