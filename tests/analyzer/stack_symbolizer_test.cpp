// StackSymbolizer and unloaded modules: an address where a module was until dlclose
// unloaded it is named by the module that held it at the block's allocation time. The
// modules are not on disk, so frames are named module+offset.
#include "stack_symbolizer.h"

#include <gtest/gtest.h>

#include "snapshot_builder.h"

namespace heapdrift {
namespace {

// /bin/x is loaded at 0x1000 (code 0x1000-0x1100); two plugins held 0x1000 before it
// and left at times 500 and 900; another left 0x8000 at 700, where nothing is now.
Snapshot with_unloaded_modules() {
  Snapshot s = test::small_snapshot();
  s.process.mono_ns = 2000;
  s.unloaded_modules = {{{"/opt/first.so", 0x1000, {0x01}, {{0, 0x100, 0, 5}}}, 500},
                        {{"/opt/second.so", 0x1000, {0x02}, {{0, 0x100, 0, 5}}}, 900},
                        {{"/opt/elsewhere.so", 0x8000, {0x03}, {{0, 0x100, 0, 5}}}, 700}};
  s.stacks = {{3, {3, 0, {0x1011}, {}}}, {4, {4, 0, {0x8021}, {}}}};
  return s;
}

std::string name_at(StackSymbolizer& symbolizer, const Snapshot& s, uint32_t stack, uint64_t alloc_ns) {
  std::vector<FrameId> frames = symbolizer.frames(s, s.stacks.at(stack), alloc_ns);
  return frames.size() == 1 ? symbolizer.table()[frames[0]].function : "(" + std::to_string(frames.size()) + " frames)";
}

TEST(StackSymbolizer, NamesAnAddressByTheModuleThatHeldItWhenTheBlockWasAllocated) {
  FrameTable table;
  symbolizer::Options options;
  options.debuginfod = false;
  StackSymbolizer symbolizer(options, table);
  const Snapshot s = with_unloaded_modules();
  EXPECT_TRUE(symbolizer.depends_on_time(s, s.stacks.at(3)));
  EXPECT_EQ(name_at(symbolizer, s, 3, 100), "first.so+0x11");
  EXPECT_EQ(name_at(symbolizer, s, 3, 499), "first.so+0x11");
  EXPECT_EQ(name_at(symbolizer, s, 3, 500), "second.so+0x11");
  EXPECT_EQ(name_at(symbolizer, s, 3, 899), "second.so+0x11");
  EXPECT_EQ(name_at(symbolizer, s, 3, 900), "x+0x11");  // what is loaded there now
  EXPECT_EQ(name_at(symbolizer, s, 4, 600), "elsewhere.so+0x21");
  EXPECT_EQ(name_at(symbolizer, s, 4, 700), "[unknown]");  // no code there since
}

// Where no module was unloaded, a stack's names are fixed: one per stack, not per block.
TEST(StackSymbolizer, WithoutUnloadedModulesNamesDoNotDependOnTime) {
  FrameTable table;
  symbolizer::Options options;
  options.debuginfod = false;
  StackSymbolizer symbolizer(options, table);
  Snapshot s = with_unloaded_modules();
  s.unloaded_modules.clear();
  EXPECT_FALSE(symbolizer.depends_on_time(s, s.stacks.at(3)));
  EXPECT_EQ(name_at(symbolizer, s, 3, 100), "x+0x11");
}

}  // namespace
}  // namespace heapdrift
