#include "module_index.h"

#include <gtest/gtest.h>

namespace heapdrift::symbolizer {
namespace {

ModuleDesc module(const char* path, uint64_t bias, std::vector<Segment> segments) {
  ModuleDesc m;
  m.path = path;
  m.load_bias = bias;
  m.segments = std::move(segments);
  return m;
}

TEST(ModuleIndex, FindsTheSegmentAtItsLoadBias) {
  std::vector<ModuleDesc> modules = {
      module("/exe", 0x555500000000, {{0x0, 0x1000, 0, 4}, {0x1000, 0x2000, 0x1000, 5}}),
      module("/lib/a.so", 0x7f0000000000, {{0x0, 0x800, 0, 4}, {0x1000, 0x500, 0x1000, 5}}),
  };
  ModuleIndex index(modules);
  auto hit = index.find(0x555500001234);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->module, 0u);
  EXPECT_EQ(hit->load_bias, 0x555500000000u);
  hit = index.find(0x7f0000001000);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->module, 1u);
  EXPECT_TRUE(index.find(0x7f00000014ff));
  // Between and around segments: no module.
  EXPECT_FALSE(index.find(0x7f0000000900));
  EXPECT_FALSE(index.find(0x7f0000001500));
  EXPECT_FALSE(index.find(0x555500003000));
  EXPECT_FALSE(index.find(0x10));
}

TEST(ModuleIndex, NonPieExecutableAtBiasZero) {
  ModuleIndex index({module("/usr/bin/old", 0, {{0x400000, 0x5000, 0, 5}})});
  ASSERT_TRUE(index.find(0x401000));
  EXPECT_EQ(index.find(0x401000)->load_bias, 0u);
  EXPECT_FALSE(index.find(0x3fffff));
}

TEST(ModuleIndex, OverlapsFromACorruptMapResolveToTheLaterModule) {
  ModuleIndex index({module("/a", 0x1000, {{0, 0x3000, 0, 5}}), module("/b", 0x2000, {{0, 0x3000, 0, 5}})});
  EXPECT_EQ(index.find(0x1800)->module, 0u);
  EXPECT_EQ(index.find(0x2800)->module, 1u);
  EXPECT_EQ(index.find(0x4800)->module, 1u);
}

TEST(ModuleIndex, EmptyMapFindsNothing) {
  ModuleIndex index({});
  EXPECT_FALSE(index.find(0x1234));
}

}  // namespace
}  // namespace heapdrift::symbolizer
