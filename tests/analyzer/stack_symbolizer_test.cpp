// StackSymbolizer and what depends on the block's allocation time: an address where a
// module was until dlclose unloaded it is named by the module that held it then, and JIT
// code by the perf-map lines in force then. The modules are not on disk, so frames are
// named module+offset.
#include "stack_symbolizer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "snapshot_builder.h"
#include "snapshot_format.h"
#include "temp_dir.h"

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

// V8 maps its builtins a second time, from the executable's own file, next to its JIT
// code: an address there is the same code as where the loader put the file.
TEST(StackSymbolizer, NamesASecondMappingOfAModulesCodeAsTheModule) {
  FrameTable table;
  symbolizer::Options options;
  options.debuginfod = false;
  StackSymbolizer symbolizer(options, table);
  Snapshot s = test::small_snapshot();  // /bin/x: code at 0x1000-0x1100 from offset 0
  s.maps.push_back({0x70000, 0x70100, 0x40, format::kProtRead | format::kProtExec, "/bin/x"});
  s.maps.push_back({0x80000, 0x80100, 0x40, format::kProtRead, "/bin/x"});  // data, not code
  s.stacks = {{6, {6, 0, {0x70011}, {}}}, {7, {7, 0, {0x80011}, {}}}};
  EXPECT_EQ(name_at(symbolizer, s, 6, 1000), "x+0x51");
  EXPECT_EQ(name_at(symbolizer, s, 7, 1000), "[unknown]");
}

// The recording's copy of a JIT's perf map (written by the shim at each snapshot): a
// batch's lines name the code at their addresses from the copy before it on.
class PerfMapCopyNames : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.debuginfod = false;
    snapshot_ = test::small_snapshot();  // the program started at 500
    snapshot_.stacks = {{5, {5, 0, {0x9011, 0x1020}, {}}}};
  }
  void write_copy(const std::string& text) {
    std::ofstream(dir_ / format::kPerfMapCopy) << text;
  }
  std::string header(uint64_t program, uint64_t copied) {
    return std::string(format::kPerfMapCopyHeader) + " program " + std::to_string(program) + " copied " +
           std::to_string(copied) + "\n";
  }
  const Frame& jit_frame(uint64_t alloc_ns) {
    std::vector<FrameId> frames = symbolizer_.frames(snapshot_, snapshot_.stacks.at(5), alloc_ns);
    EXPECT_EQ(frames.size(), 2u);
    return symbolizer_.table()[frames.at(0)];
  }

  test::TempDir dir_;
  symbolizer::Options options_;
  FrameTable table_;
  StackSymbolizer symbolizer_{options_, table_};
  Snapshot snapshot_;
};

TEST_F(PerfMapCopyNames, NamesJitCodeByTheLinesInForceWhenTheBlockWasAllocated) {
  write_copy(header(500, 1000) + "9000 100 JS:*alpha /app/a.js:10:5\n9100 10 Builtin:CallApiCallback\n" +
             header(77, 1200) + "9000 100 JS:*another_program /app/x.js:1:1\n" +  // before an exec
             header(500, 2000) + "9000 80 JS:~ /app/b.js:20:3\n");
  symbolizer_.use_jit_code(snapshot_, dir_.path());
  EXPECT_TRUE(symbolizer_.depends_on_time(snapshot_, snapshot_.stacks.at(5)));
  for (uint64_t t : {600, 999}) {
    const Frame& f = jit_frame(t);
    EXPECT_EQ(f.function, "alpha") << t;
    EXPECT_EQ(f.kind, FrameKind::kJit);
    EXPECT_EQ(f.file, "/app/a.js");
    EXPECT_EQ(f.line, 10u);
    EXPECT_EQ(f.signature, "JS:*alpha /app/a.js:10:5");
  }
  // The second batch was written after the first was copied, at 1000.
  EXPECT_EQ(jit_frame(1000).function, "(anonymous)");
  EXPECT_EQ(jit_frame(1900).file, "/app/b.js");
}

// A recording analysed while its process runs: the shim may be appending a batch.
TEST_F(PerfMapCopyNames, ALineStillBeingWrittenIsLeftOut) {
  write_copy(header(500, 1000) + "9000 100 JS:*alpha /app/a.js:10:5\n" + header(500, 2000) + "9000 100 JS:*be");
  symbolizer_.use_jit_code(snapshot_, dir_.path());
  EXPECT_EQ(jit_frame(1500).function, "alpha");
}

TEST_F(PerfMapCopyNames, InAJvmOtherNamesAreTheJvmsGeneratedCode) {
  snapshot_.modules.push_back({"/usr/lib/jvm/java-17/lib/server/libjvm.so", 0x100000, {0x01}, {{0, 0x1000, 0, 5}}});
  write_copy(header(500, 1000) + "9000 100 StubRoutines (1)\n");
  symbolizer_.use_jit_code(snapshot_, dir_.path());
  EXPECT_EQ(jit_frame(600).function, "StubRoutines (1)");
  EXPECT_EQ(jit_frame(600).kind, FrameKind::kJvmGenerated);
}

TEST_F(PerfMapCopyNames, AMalformedCopyIsAnErrorNamingItsLine) {
  write_copy(header(500, 1000) + "9000 100 JS:*alpha /app/a.js:10:5\n" + header(500, 1500) +
             "9100 100 fine\nnot a perf map line\n");
  try {
    symbolizer_.use_jit_code(snapshot_, dir_.path());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "perf.map:5: malformed perf-map line").string()), std::string::npos)
        << e.what();
  }
  write_copy("9000 100 no header\n");
  StackSymbolizer another(options_, table_);
  EXPECT_THROW(another.use_jit_code(snapshot_, dir_.path()), std::runtime_error);
}

}  // namespace
}  // namespace heapdrift
