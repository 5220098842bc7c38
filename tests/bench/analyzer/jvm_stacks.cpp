// A JVM-sized snapshot for the symbolization benchmark: the process, modules and maps
// of a real JVM snapshot (recorded by `heapdrift record -- java ...`), with STACKS
// distinct stacks made of real return addresses. Each stack is 8-23 return addresses
// in libjvm.so (addresses right after call instructions, from CALLS: one hex ELF
// address a line, as `objdump -d` finds them, so that calls inside inlined code
// expand into inline frames), half of them with two addresses in JIT code (outside
// every module) in the middle, and the outer frames of one of the JVM's real stacks
// (libjvm's thread entry, libc's start_thread, clone3). One sample per stack.
//
// usage: jvm_stacks JVM_SNAPSHOT CALLS STACKS OUT
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "snapshot_builder.h"
#include "snapshot_reader.h"

using namespace heapdrift;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s JVM_SNAPSHOT CALLS STACKS OUT\n", argv[0]);
    return 2;
  }
  Snapshot s = read_snapshot(argv[1]);
  const Module* jvm = nullptr;
  for (const Module& m : s.modules) {
    if (m.path.ends_with("/libjvm.so")) jvm = &m;
  }
  if (!jvm) {
    std::fprintf(stderr, "jvm_stacks: %s: no libjvm.so among the modules\n", argv[1]);
    return 1;
  }
  std::vector<uint64_t> calls;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) calls.push_back(jvm->load_bias + std::stoull(line, nullptr, 16));
  }
  // JIT code: an anonymous executable mapping (the code cache) if the snapshot has one.
  uint64_t jit_start = 0x7e0000000000, jit_size = 1 << 24;
  for (const Mapping& m : s.maps) {
    if (m.path.empty() && (m.prot & format::kProtExec) && m.end - m.start > (1 << 20)) {
      jit_start = m.start, jit_size = m.end - m.start;
      break;
    }
  }
  // The outer frames of the JVM's real stacks: up to 3 outermost of each.
  std::vector<std::vector<uint64_t>> outer;
  for (const auto& [id, stack] : s.stacks) {
    size_t n = std::min<size_t>(3, stack.frames.size());
    outer.emplace_back(stack.frames.end() - long(n), stack.frames.end());
  }
  if (calls.empty() || outer.empty()) {
    std::fprintf(stderr, "jvm_stacks: no call sites or no stacks to build from\n");
    return 1;
  }
  const uint32_t count = std::stoul(argv[3]);
  std::mt19937_64 rng(42);
  auto pick = [&](size_t n) { return size_t(rng() % n); };
  std::map<uint32_t, Stack> stacks;
  std::vector<Sample> samples;
  for (uint32_t i = 0; i < count; ++i) {
    Stack st;
    st.id = i + 1;
    size_t depth = 8 + pick(16);
    for (size_t d = 0; d < depth; ++d) {
      st.frames.push_back(calls[pick(calls.size())]);
      if (d == depth / 2 && i % 2) {
        for (int j = 0; j < 2; ++j) st.frames.push_back(jit_start + 16 * pick(jit_size / 16));
      }
    }
    const auto& o = outer[pick(outer.size())];
    st.frames.insert(st.frames.end(), o.begin(), o.end());
    samples.push_back({0x100000000 + 64ull * i, 64, s.process.start_mono_ns + i, 1.0, st.id, s.process.pid});
    stacks.emplace(st.id, std::move(st));
  }
  s.stacks = std::move(stacks);
  s.samples = std::move(samples);
  test::write_bytes(argv[4], test::encode_snapshot(s));
  std::printf("jvm_stacks: %u stacks from %zu call sites in %s\n", count, calls.size(), jvm->path.c_str());
  return 0;
}
