#include "memory_breakdown.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace heapdrift {
namespace {

std::optional<double> get(const KeyValues& kv, const char* key) {
  auto it = kv.find(key);
  return it == kv.end() ? std::nullopt : std::optional<double>(double(it->second));
}

}  // namespace

std::map<std::string, double> parse_smaps_rollup(const std::string& text) {
  std::map<std::string, double> fields;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string name, unit;
    double value;
    if (l >> name >> value >> unit && name.size() > 1 && name.back() == ':' && unit == "kB") {
      fields[name.substr(0, name.size() - 1)] = value * 1024;
    }
  }
  return fields;
}

std::optional<double> live_heap_bytes(const KeyValues& counters, const std::optional<MemoryInfo>& memory) {
  auto alloc = get(counters, "alloc_bytes"), freed = get(counters, "free_bytes");
  if (alloc && freed) return *alloc - *freed;
  if (!memory) return std::nullopt;
  if (auto in_use = get(memory->values, "malloc.in_use_bytes")) {
    return *in_use + get(memory->values, "malloc.mmap_bytes").value_or(0);
  }
  return get(memory->values, "jemalloc.allocated");
}

double allocator_not_resident(const MemoryBreakdown& m, double resident_elsewhere) {
  if (!m.allocator_held || !m.anonymous) return 0;
  return std::max(0.0, *m.allocator_held - (*m.anonymous - resident_elsewhere));
}

MemoryBreakdown memory_breakdown(const KeyValues& counters, const std::optional<MemoryInfo>& memory) {
  MemoryBreakdown b;
  b.live_heap = live_heap_bytes(counters, memory);
  b.live_heap_exact = counters.count("alloc_bytes") != 0;
  if (!memory) return b;
  const KeyValues& m = memory->values;
  b.allocator = memory->allocator;
  b.rss = get(m, "rss_bytes");
  if (auto arena = get(m, "malloc.arena_bytes")) {  // glibc
    b.allocator_held = *arena + get(m, "malloc.mmap_bytes").value_or(0);
    b.allocator_free = get(m, "malloc.free_bytes");
    b.arenas = get(m, "malloc.arena_count");
  } else if (auto walk = get(m, "malloc.left_out_after_walk_us")) {
    b.allocator_left_out_us = walk;
  } else if (auto resident = get(m, "jemalloc.resident")) {
    b.allocator_held = resident;
    b.allocator_free = *resident - get(m, "jemalloc.allocated").value_or(0);
    b.arenas = get(m, "jemalloc.arena_count");
  }
  if (auto anon = get(m, "rss_anon_bytes")) {
    b.anonymous = anon;
    b.file_backed = get(m, "rss_file_bytes").value_or(0) + get(m, "rss_shmem_bytes").value_or(0);
  } else {  // snapshots of shims before 2026-11: the text of smaps_rollup
    auto smaps = parse_smaps_rollup(memory->smaps_rollup);
    if (smaps.count("Rss") && smaps.count("Anonymous")) {
      b.anonymous = smaps["Anonymous"];
      b.file_backed = smaps["Rss"] - smaps["Anonymous"];
    }
  }
  return b;
}

std::string allocator_left_out_reason(double walk_us) {
  return "glibc's figures are left out: counting its free chunks took " + std::to_string(std::llround(walk_us / 1000)) +
         " ms at an earlier snapshot, a pause for the threads that allocate meanwhile; the exit snapshot has them";
}

std::optional<JvmSpaces> jvm_spaces(const std::optional<MemoryInfo>& memory) {
  if (!memory) return std::nullopt;
  const KeyValues& m = memory->values;
  auto metaspace = get(m, "jvm.metaspace_committed_bytes");
  auto resident = get(m, "jvm.heap_resident_bytes"), shared = get(m, "jvm.heap_resident_shared_bytes");
  if (!metaspace && !resident && !shared) return std::nullopt;
  return JvmSpaces{metaspace.has_value(), get(m, "jvm.heap_committed_bytes").value_or(0), metaspace.value_or(0),
                   get(m, "jvm.threads").value_or(0), get(m, "jvm.classes").value_or(0), resident, shared};
}

uint64_t jit_code_mapped_bytes(const std::vector<Mapping>& maps) {
  uint64_t bytes = 0;
  for (const Mapping& m : maps) {
    // Named ones are files, or the kernel's ([vdso], [vsyscall]).
    if ((m.prot & format::kProtExec) && m.path.empty()) bytes += m.end - m.start;
  }
  return bytes;
}

ThreadStacks thread_stacks_mapped(const std::vector<Mapping>& maps) {
  constexpr uint32_t kReadWrite = format::kProtRead | format::kProtWrite;
  ThreadStacks stacks;
  for (size_t i = 1; i < maps.size(); ++i) {
    const Mapping &guard = maps[i - 1], &stack = maps[i];
    if (guard.prot == 0 && guard.path.empty() && guard.end == stack.start && guard.end - guard.start <= 64 * 1024 &&
        stack.prot == kReadWrite && stack.path.empty()) {
      ++stacks.count;
      stacks.bytes += stack.end - guard.start;
    }
  }
  return stacks;
}

}  // namespace heapdrift
