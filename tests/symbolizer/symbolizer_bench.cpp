// How long symbolizing a big snapshot takes: 100,000 distinct stacks of 20 frames,
// each frame a return address drawn from real code of this process (libc, libstdc++,
// and this executable, which has DWARF), from a pool of distinct addresses as a
// snapshot's stacks share their frames. A fresh Symbolizer does it all: opening the
// modules and their debug files, indexing, a lookup per distinct address.
//
//   symbolizer_bench [--stacks N] [--depth D] [--distinct P] [--seed S]
//
// --distinct 0 draws every frame afresh (the worst case: no two frames alike).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "process_modules.h"
#include "symbolizer.h"
#include "test_support.h"

using namespace heapdrift::symbolizer;

namespace {

struct Code {
  uint64_t start, end;  // runtime addresses of an executable segment
  std::string module;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  size_t stacks = 100000, depth = 20, distinct = 50000;
  uint64_t seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--stacks")) stacks = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--depth")) depth = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--distinct")) distinct = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  test::LoadedFixture::get();  // the dlopen'ed fixture too
  std::vector<ModuleDesc> modules = test::current_modules();

  // Executable segments of the chosen modules, each module with an equal share.
  std::map<std::string, std::vector<Code>> code;
  for (const ModuleDesc& m : modules) {
    bool wanted = &m == &modules[0] || m.path.find("/libc.so") != std::string::npos ||
                  m.path.find("/libstdc++.so") != std::string::npos;
    if (!wanted) continue;
    for (const Segment& s : m.segments) {
      if (s.flags & 1) code[m.path].push_back({m.load_bias + s.vaddr, m.load_bias + s.vaddr + s.memsz, m.path});
    }
  }
  std::vector<std::vector<Code>> by_module;
  for (auto& [path, segments] : code) by_module.push_back(segments);

  std::mt19937_64 rng(seed);
  auto random_address = [&]() {
    const auto& segments = by_module[rng() % by_module.size()];
    const Code& c = segments[rng() % segments.size()];
    return c.start + 1 + rng() % (c.end - c.start - 1);
  };
  std::vector<uint64_t> pool;
  for (size_t i = 0; i < distinct; ++i) pool.push_back(random_address());

  std::vector<std::vector<uint64_t>> all;
  all.reserve(stacks);
  std::unordered_set<std::string> seen;
  while (all.size() < stacks) {
    std::vector<uint64_t> stack(depth);
    for (uint64_t& frame : stack) frame = pool.empty() ? random_address() : pool[rng() % pool.size()];
    std::string key(reinterpret_cast<const char*>(stack.data()), stack.size() * sizeof(uint64_t));
    if (seen.insert(std::move(key)).second) all.push_back(std::move(stack));
  }

  // As the analyzer does: each distinct address is symbolized once, the stacks read
  // through the caller's own map of answers.
  auto t0 = std::chrono::steady_clock::now();
  Options options;
  options.debuginfod = false;
  Symbolizer symbolizer(options);
  ProcessImage image = symbolizer.load(modules);
  size_t frames_out = 0;
  std::map<FrameSource, size_t> sources;
  std::unordered_map<uint64_t, size_t> frames_at;
  for (const auto& stack : all) {
    for (uint64_t address : stack) {
      auto [it, fresh] = frames_at.try_emplace(address);
      if (fresh) {
        std::vector<SymbolFrame> frames = symbolizer.symbolize(image, address, true);
        it->second = frames.size();
        for (const SymbolFrame& f : frames) ++sources[f.source];
      }
      frames_out += it->second;
    }
  }
  double cold = seconds_since(t0);

  // The same addresses again: the lookups walk what the first ones read of the DWARF.
  auto t1 = std::chrono::steady_clock::now();
  size_t mismatches = 0;
  for (const auto& [address, count] : frames_at) {
    if (symbolizer.symbolize(image, address, true).size() != count) ++mismatches;
  }
  double warm = seconds_since(t1);

  std::printf("modules sampled:");
  for (auto& [path, segments] : code) std::printf(" %s", path.c_str());
  std::printf("\n");
  for (const ModuleStatus& s : symbolizer.module_status(image)) {
    if (s.opened) {
      std::printf("  %s: dwarf=%d symbols=%d debug_file=%s\n", s.path.c_str(), s.dwarf, s.symbols,
                  s.debug_file.empty() ? "-" : s.debug_file.c_str());
    }
  }
  std::printf("distinct addresses %zu; frames out %zu (dwarf %zu, symtab %zu, none %zu, per distinct address)\n",
              frames_at.size(), frames_out, sources[FrameSource::kDwarf], sources[FrameSource::kSymtab],
              sources[FrameSource::kNone]);
  std::printf("symbolizer.bench: %zu distinct stacks x %zu frames: %.2f s (%.0f stacks/s), "
              "each distinct address again: %.2f s\n",
              all.size(), depth, cold, static_cast<double>(all.size()) / cold, warm);
  for (const std::string& w : symbolizer.warnings()) std::printf("warning: %s\n", w.c_str());
  return mismatches == 0 ? 0 : 1;
}
