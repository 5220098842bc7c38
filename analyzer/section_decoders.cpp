#include "section_decoders.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "byte_reader.h"

namespace heapdrift::decode {
namespace {

using format::Section;

// Smallest encodings of one entry, for checking counts before reserving.
constexpr size_t kKvEntryMin = 4 + 8;              // empty key, value
constexpr size_t kModuleMin = 4 + 8 + 1 + 4;       // empty path, bias, no build-id, no segments
constexpr size_t kSegmentSize = 8 + 8 + 8 + 4;
constexpr size_t kMappingMin = 8 + 8 + 8 + 4 + 4;  // ..., empty path
constexpr size_t kStackMin = 4 + 2 + 2;            // no frames
constexpr size_t kSampleSize = 8 + 8 + 8 + 8 + 4 + 4;
constexpr size_t kFrameMethodsMin = 4 + 2 + 2;     // no frames

ByteReader reader_for(Section tag, Payload payload) {
  return ByteReader(payload, std::string("section '") + section_name(static_cast<uint32_t>(tag)) + "'");
}

KeyValues read_kv(ByteReader& in) {
  KeyValues out;
  size_t n = in.count(in.u32(), kKvEntryMin);
  for (size_t i = 0; i < n; ++i) {
    std::string key = in.str();
    uint64_t value = in.u64();
    if (!out.emplace(key, value).second) in.fail("key '" + key + "' appears twice");
  }
  return out;
}

}  // namespace

const char* section_name(uint32_t tag) {
  switch (static_cast<Section>(tag)) {
    case Section::kProcess: return "process";
    case Section::kCounters: return "counters";
    case Section::kMemory: return "memory";
    case Section::kModules: return "modules";
    case Section::kMaps: return "maps";
    case Section::kStacks: return "stacks";
    case Section::kSamples: return "samples";
    case Section::kFrameMethods: return "frame_methods";
    case Section::kUnloadedModules: return "unloaded_modules";
    case Section::kEnd: return "end";
  }
  return nullptr;
}

ProcessInfo process(Payload payload) {
  ByteReader in = reader_for(Section::kProcess, payload);
  ProcessInfo p;
  p.pid = in.u32();
  p.ppid = in.u32();
  p.sequence = in.u32();
  uint32_t trigger = in.u32();
  if (trigger > static_cast<uint32_t>(format::Trigger::kExit)) {
    in.fail("unknown trigger " + std::to_string(trigger));
  }
  p.trigger = static_cast<format::Trigger>(trigger);
  p.wall_ns = in.u64();
  p.mono_ns = in.u64();
  p.start_wall_ns = in.u64();
  p.start_mono_ns = in.u64();
  p.sample_rate = in.u64();
  if (p.sample_rate == 0) in.fail("sample rate is 0");
  p.max_depth = in.u32();
  if (in.u32() != 0) in.fail("its reserved field is not 0");
  p.exe = in.str();
  p.cmdline = in.str();
  in.expect_end();
  return p;
}

KeyValues counters(Payload payload) {
  ByteReader in = reader_for(Section::kCounters, payload);
  KeyValues out = read_kv(in);
  in.expect_end();
  return out;
}

MemoryInfo memory(Payload payload) {
  ByteReader in = reader_for(Section::kMemory, payload);
  MemoryInfo m;
  m.allocator = in.str();
  m.values = read_kv(in);
  m.smaps_rollup = in.str();
  in.expect_end();
  return m;
}

namespace {

void read_module(ByteReader& in, Module& m) {
  m.path = in.str();
  m.load_bias = in.u64();
  auto id = in.bytes(in.u8());
  m.build_id.assign(id.begin(), id.end());
  m.segments.resize(in.count(in.u32(), kSegmentSize));
  for (Segment& s : m.segments) {
    s.vaddr = in.u64();
    s.memsz = in.u64();
    s.offset = in.u64();
    s.flags = in.u32();
  }
}

}  // namespace

std::vector<Module> modules(Payload payload) {
  ByteReader in = reader_for(Section::kModules, payload);
  std::vector<Module> out(in.count(in.u32(), kModuleMin));
  for (Module& m : out) read_module(in, m);
  in.expect_end();
  return out;
}

std::vector<UnloadedModule> unloaded_modules(Payload payload) {
  ByteReader in = reader_for(Section::kUnloadedModules, payload);
  std::vector<UnloadedModule> out(in.count(in.u32(), 8 + kModuleMin));
  for (UnloadedModule& u : out) {
    u.unloaded_mono_ns = in.u64();
    read_module(in, u.module);
  }
  in.expect_end();
  return out;
}

std::vector<Mapping> maps(Payload payload) {
  ByteReader in = reader_for(Section::kMaps, payload);
  std::vector<Mapping> out(in.count(in.u32(), kMappingMin));
  for (size_t i = 0; i < out.size(); ++i) {
    Mapping& m = out[i];
    m.start = in.u64();
    m.end = in.u64();
    m.offset = in.u64();
    m.prot = in.u32();
    m.path = in.str();
    if (m.end < m.start) in.fail("mapping " + std::to_string(i) + " ends before it starts");
  }
  in.expect_end();
  return out;
}

std::map<uint32_t, Stack> stacks(Payload payload, const std::function<bool(uint32_t)>& wanted,
                                 std::vector<uint32_t>* ids) {
  ByteReader in = reader_for(Section::kStacks, payload);
  std::map<uint32_t, Stack> out;
  std::vector<uint32_t> all;
  size_t n = in.count(in.u32(), kStackMin);
  all.reserve(n);
  bool sorted = true;  // as the writer writes them: then there is no duplicate
  for (size_t i = 0; i < n; ++i) {
    Stack s;
    s.id = in.u32();
    uint16_t depth = in.u16();
    s.flags = in.u16();
    in.count(depth, 8);
    if (s.id == format::kOverflowStackId) in.fail("a stack has the reserved id 0");
    sorted = sorted && (all.empty() || s.id > all.back());
    all.push_back(s.id);
    if (wanted && !wanted(s.id)) {
      in.bytes(uint64_t{depth} * 8);
      continue;
    }
    s.frames.resize(depth);
    for (uint64_t& f : s.frames) f = in.u64();
    out.emplace_hint(out.end(), s.id, std::move(s));  // O(1) when sorted
  }
  if (!sorted) {
    std::vector<uint32_t> by_id = all;
    std::sort(by_id.begin(), by_id.end());
    auto twice = std::adjacent_find(by_id.begin(), by_id.end());
    if (twice != by_id.end()) in.fail("stack id " + std::to_string(*twice) + " appears twice");
  }
  in.expect_end();
  if (ids) *ids = std::move(all);
  return out;
}

std::vector<Sample> samples(Payload payload, std::vector<Sample> reuse) {
  ByteReader in = reader_for(Section::kSamples, payload);
  // Resized, not cleared first: every field is written below, and a vector that grows
  // from its old size doubles, where one grown from empty takes just what it needs, a
  // fresh allocation whenever a snapshot has one sample more than the one before.
  std::vector<Sample> out = std::move(reuse);
  out.resize(in.count(in.u64(), kSampleSize));
  for (size_t i = 0; i < out.size(); ++i) {
    Sample& s = out[i];
    s.address = in.u64();
    s.size = in.u64();
    s.alloc_mono_ns = in.u64();
    s.weight = in.f64();
    s.stack_id = in.u32();
    s.tid = in.u32();
    // A weight is an inverse probability: NaN, infinite or non-positive ones would
    // poison every estimate built on it.
    if (!std::isfinite(s.weight) || s.weight <= 0) {
      in.fail("sample " + std::to_string(i) + " has weight " + std::to_string(s.weight));
    }
  }
  in.expect_end();
  return out;
}

void frame_methods(Payload payload, std::map<uint32_t, Stack>& stacks, const std::function<bool(uint32_t)>& skipped) {
  ByteReader in = reader_for(Section::kFrameMethods, payload);
  size_t n = in.count(in.u32(), kFrameMethodsMin);
  for (size_t i = 0; i < n; ++i) {
    uint32_t id = in.u32();
    uint16_t depth = in.u16();
    if (in.u16() != 0) in.fail("the reserved field of entry " + std::to_string(i) + " is not 0");
    in.count(depth, 8);
    auto it = stacks.find(id);
    if (it == stacks.end() && skipped && skipped(id)) {  // a stack the reader was asked to skip
      for (uint16_t k = 0; k < depth; ++k) in.u64();
      continue;
    }
    if (it == stacks.end()) in.fail("stack " + std::to_string(id) + " is not in the stacks section");
    Stack& s = it->second;
    if (!(s.flags & format::kStackInterpreterMethods)) {
      in.fail("stack " + std::to_string(id) + " has methods but not the flag that announces them");
    }
    if (!s.methods.empty()) in.fail("stack " + std::to_string(id) + " appears twice");
    if (depth != s.frames.size()) {
      in.fail("stack " + std::to_string(id) + " has " + std::to_string(s.frames.size()) + " frames but " +
              std::to_string(depth) + " methods");
    }
    s.methods.resize(depth);
    for (uint64_t& m : s.methods) m = in.u64();
  }
  in.expect_end();
  for (const auto& [id, s] : stacks) {
    if ((s.flags & format::kStackInterpreterMethods) && s.methods.empty() && !s.frames.empty()) {
      in.fail("stack " + std::to_string(id) + " announces methods but has none");
    }
  }
}

}  // namespace heapdrift::decode
