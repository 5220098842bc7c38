// UnloadedModules: which modules a dlclose unloaded, one entry for a library unloaded
// again where it was, a new one when other code was there in between, and a cap.
#include "unloaded_modules.h"

#include <gtest/gtest.h>

namespace heapdrift {
namespace {

Module module(const std::string& path, uint64_t bias, uint8_t id = 1) {
  return {path, bias, {id}, {{0, 0x2000, 0, 5}, {0x3000, 0x100, 0x2000, 6}}};
}

std::vector<std::pair<std::string, uint64_t>> kept(UnloadedModules& u) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const UnloadedModule& m : u.copy()) out.emplace_back(m.module.path, m.unloaded_mono_ns);
  return out;
}

using Kept = std::vector<std::pair<std::string, uint64_t>>;

TEST(UnloadedModules, KeepsWhatLeftAndNothingElse) {
  UnloadedModules u;
  const Module exe = module("", 0x1000), a = module("/a.so", 0x10000), b = module("/b.so", 0x20000);
  EXPECT_FALSE(u.record({exe, a, b}, {exe, a, b}, 10));  // a dlclose that unloaded nothing
  EXPECT_TRUE(u.record({exe, a, b}, {exe}, 20));        // a, and b with it (a dependency)
  EXPECT_EQ(kept(u), (Kept{{"/a.so", 20}, {"/b.so", 20}}));
  const std::vector<UnloadedModule> all = u.copy();
  const Module& first = all[0].module;
  EXPECT_EQ(first.load_bias, a.load_bias);
  EXPECT_EQ(first.build_id, a.build_id);
  EXPECT_EQ(first.segments.size(), a.segments.size());
  // Loaded again elsewhere and unloaded: another module, whatever its path.
  EXPECT_TRUE(u.record({exe, module("/a.so", 0x90000)}, {exe}, 30));
  EXPECT_EQ(kept(u), (Kept{{"/a.so", 20}, {"/b.so", 20}, {"/a.so", 30}}));
}

TEST(UnloadedModules, OneEntryForALibraryUnloadedAgainWhereItWas) {
  UnloadedModules u;
  const Module a = module("/a.so", 0x10000);
  for (uint64_t t = 1; t <= 1000; ++t) u.record({a}, {}, t);
  EXPECT_EQ(kept(u), (Kept{{"/a.so", 1000}}));
  // Rebuilt: same path and place, another build-id: another module.
  u.record({module("/a.so", 0x10000, 2)}, {}, 1001);
  EXPECT_EQ(kept(u).size(), 2u);
}

TEST(UnloadedModules, ANewEntryWhenOtherCodeWasThereInBetween) {
  UnloadedModules u;
  const Module a = module("/a.so", 0x10000), b = module("/b.so", 0x10000);
  u.record({a}, {}, 10);
  u.record({b}, {}, 20);
  u.record({a}, {}, 30);
  EXPECT_EQ(kept(u), (Kept{{"/a.so", 10}, {"/b.so", 20}, {"/a.so", 30}}));
  u.record({a}, {}, 40);  // again where it was, nothing in between since
  EXPECT_EQ(kept(u), (Kept{{"/a.so", 10}, {"/b.so", 20}, {"/a.so", 40}}));
  // b overlapped a only in part: still in between.
  u.record({module("/c.so", 0x11000)}, {}, 50);
  u.record({a}, {}, 60);
  EXPECT_EQ(kept(u).size(), 5u);
}

TEST(UnloadedModules, PastTheCapDeparturesAreCounted) {
  UnloadedModules u;
  for (uint64_t i = 0; i < UnloadedModules::kMax + 3; ++i) u.record({module("/p.so", 0x100000 * (i + 1))}, {}, i);
  EXPECT_EQ(u.copy().size(), UnloadedModules::kMax);
  EXPECT_EQ(u.dropped(), 3u);
  EXPECT_EQ(u.copy().back().module.load_bias, 0x100000 * UnloadedModules::kMax);
}

}  // namespace
}  // namespace heapdrift
