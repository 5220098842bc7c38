// compiled_code on JIT logs written by the agent's own writer: which methods' growth of
// compiled versions is reported, and how much compiled code is alive, over the snapshots
// judged.
#include "code_growth.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "log_builder.h"

namespace heapdrift::test {
namespace {

// Over snapshots judged at 10, 20, ... 90 (mid-point 50), the JIT log written by `build`.
template <class Build>
CompiledCode judged_with(Build build) {
  perfmaptest::LogBuilder b(1);
  build(b);
  perfmap::JitCodeMap code;
  code.add_log(b.log());
  std::vector<uint64_t> judged;
  for (uint64_t t = 10; t <= 90; t += 10) judged.push_back(t);
  return compiled_code(judged, code);
}

// Loads of compiled code, written in time order, as the agent writes them.
struct Loads {
  std::vector<std::tuple<uint64_t, uint64_t, uint32_t>> loads;  // time, address, method
  // `n` versions of method `id`, one a tick from `t`, at addresses from `base`.
  Loads& versions(uint32_t id, uint64_t t, int n, uint64_t base) {
    for (int i = 0; i < n; ++i) loads.emplace_back(t + uint64_t(i), base + 0x100 * uint64_t(i), id);
    return *this;
  }
  void write(perfmaptest::LogBuilder& b) {
    std::sort(loads.begin(), loads.end());
    for (auto [t, address, id] : loads) b.load(t, address, 0x80, id);
  }
};

TEST(CodeGrowth, AMethodWhoseVersionsKeepGrowingIsReported) {
  CompiledCode found = judged_with([](perfmaptest::LogBuilder& b) {
    b.method(1, "a.Rereg", "work", "(J)J").method(2, "a.Warm", "up", "()V").method(3, "a.Few", "more", "()V");
    b.method(4, "a.Big", "grow", "()V");
    b.method(5, "java.lang.invoke.MethodHandle", "invokeBasic", "([Ljava/lang/Object;)Ljava/lang/Object;");
    b.method(6, "java.lang.invoke.MethodHandle", "linkToStatic", "([Ljava/lang/Object;)Ljava/lang/Object;");
    Loads()
        .versions(1, 5, 4, 0x10000)    // 4 before the first snapshot...
        .versions(1, 30, 8, 0x20000)   // ...12 at the middle...
        .versions(1, 60, 10, 0x30000)  // ...22 at the end: reported
        .versions(2, 11, 30, 0x40000)  // 30, all in the first half: a warm-up, not reported
        .versions(3, 20, 6, 0x50000)   // growing in both halves, but 15 at the end: not reported
        .versions(3, 60, 9, 0x60000)
        .versions(4, 12, 40, 0x70000)  // growing in both halves, 60 at the end: reported first
        .versions(4, 60, 20, 0x80000)
        .versions(5, 12, 20, 0x90000)  // the intrinsics of method handles, one per shape linked:
        .versions(5, 60, 20, 0xa0000)  // never replaced, not reported
        .versions(6, 12, 20, 0xb0000)
        .versions(6, 60, 20, 0xc0000)
        .write(b);
    b.unload(95, 0x70000);  // after the last snapshot judged: not counted
  });
  ASSERT_EQ(found.growth.size(), 2u);
  EXPECT_EQ(found.growth[0].function, "a.Big.grow");
  EXPECT_EQ(found.growth[0].versions_first, 0u);
  EXPECT_EQ(found.growth[0].versions_last, 60u);
  EXPECT_EQ(found.growth[1].function, "a.Rereg.work");
  EXPECT_EQ(found.growth[1].signature, "(J)J");
  EXPECT_EQ(found.growth[1].versions_first, 4u);
  EXPECT_EQ(found.growth[1].versions_last, 22u);
  EXPECT_EQ(found.growth[1].code_bytes_last, 22u * 0x80);
  EXPECT_EQ(found.growth[1].class_copies_last, 0u);  // the log gives no jmethodIDs
}

TEST(CodeGrowth, NothingWithoutGrowthInTheLateHalfOrThreeSnapshots) {
  CompiledCode early = judged_with([](perfmaptest::LogBuilder& b) {
    b.method(1, "a.B", "m", "()V");
    Loads().versions(1, 5, 40, 0x10000).write(b);
  });
  EXPECT_TRUE(early.growth.empty());  // 40 versions, none loaded in the late half

  perfmaptest::LogBuilder b(1);
  b.method(1, "a.B", "m", "()V");
  Loads().versions(1, 35, 40, 0x10000).write(b);
  perfmap::JitCodeMap code;
  code.add_log(b.log());
  const std::vector<uint64_t> two = {30, 50}, three = {30, 50, 80};
  EXPECT_TRUE(compiled_code(two, code).growth.empty());  // growth between them, but two show no trend
  EXPECT_EQ(compiled_code(three, code).growth.size(), 1u);  // the same growth, judged over three
}

// The copies of its class that a growing method's versions belong to, by jmethodID: one
// for a method compiled again and again, as many as its versions for a class loaded
// again and again; 0 when the log does not say (found.growth[1] above).
TEST(CodeGrowth, SaysInHowManyCopiesOfTheirClassTheVersionsAre) {
  auto copies = [](bool one_class) {
    return judged_with([&](perfmaptest::LogBuilder& b) {
      for (uint32_t i = 0; i < 30; ++i) {
        const uint32_t id = i + 1;
        b.method(id, "a.Plugin", "run", "()V").jvm_id(id, one_class ? 0x7000 : 0x7000 + 8 * i);
        b.load(5 + 3 * i, 0x10000 + 0x100 * i, 0x80, id);  // at 5, 8, ... 92
      }
    });
  };
  const CompiledCode recompiled = copies(true), reloaded = copies(false);
  ASSERT_EQ(recompiled.growth.size(), 1u);
  EXPECT_EQ(recompiled.growth[0].versions_last, 29u);  // loaded by 90
  EXPECT_EQ(recompiled.growth[0].class_copies_last, 1u);
  ASSERT_EQ(reloaded.growth.size(), 1u);
  EXPECT_EQ(reloaded.growth[0].class_copies_last, 29u);
}

// The compiled code alive at the first and last snapshot judged: every Java method's,
// grown or not, less what was unloaded or replaced by then; not generated code, nor code
// of an earlier session (an image the process exec'd away from).
TEST(CompiledCodeBytes, AreTheJavaMethodsCodeAliveAtTheFirstAndLastSnapshotJudged) {
  perfmaptest::LogBuilder b(1);
  b.method(1, "a.B", "m", "()V").method(2, "a.C", "n", "()V");
  b.load(2, 0x1000, 0x100, 1);   // alive at both
  b.load(3, 0x2000, 0x40, 2);    // unloaded before the last
  b.dynamic(5, 0x9000, 0x1000, "Interpreter");  // generated code: not counted
  b.load(20, 0x3000, 0x200, 2);  // loaded after the first
  b.load(40, 0x2000, 0x10, 1);   // over 0x2000's code, still live: replaces it
  b.load(60, 0x4000, 0x80, 1);
  b.unload(70, 0x4000);          // gone by the last
  perfmap::JitCodeMap code;
  code.add_log(b.log());
  const std::vector<uint64_t> judged = {10, 50, 90};
  const CompiledCodeBytes bytes = compiled_code(judged, code).bytes;
  EXPECT_EQ(bytes.first, 0x100u + 0x40u);
  EXPECT_EQ(bytes.last, 0x100u + 0x200u + 0x10u);
  const std::vector<uint64_t> one = {10};
  EXPECT_EQ(compiled_code(one, code).bytes.last, 0x140u);  // one snapshot: both ends at it

  perfmaptest::LogBuilder exec(1);  // the same code, but then the JVM started anew (a second session)
  exec.method(1, "a.B", "m", "()V");
  exec.load(2, 0x1000, 0x100, 1);
  exec.session(30).method(1, "a.B", "m", "()V");
  exec.load(35, 0x5000, 0x20, 1);
  perfmap::JitCodeMap after_exec;
  after_exec.add_log(exec.log());
  EXPECT_EQ(compiled_code(judged, after_exec).bytes.last, 0x20u);
}

}  // namespace
}  // namespace heapdrift::test
