// find_code_growth on JIT logs written by the agent's own writer: which methods' growth
// of compiled versions is reported, over the snapshots judged.
#include "code_growth.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "log_builder.h"

namespace heapdrift::test {
namespace {

// A process judged over snapshots at 10, 20, ... 90 (mid-point 50), its JIT log written
// by `build`.
template <class Build>
ProcessLeaks judged_with(Build build) {
  perfmaptest::LogBuilder b(1);
  build(b);
  perfmap::JitCodeMap code;
  code.add_log(b.log());
  ProcessLeaks leaks;
  for (uint64_t t = 10; t <= 90; t += 10) leaks.history.timeline.snapshot_ns.push_back(t);
  leaks.history.timeline.snapshot_ns.push_back(1000);  // the exit snapshot, not judged
  leaks.judged_snapshots = 9;
  find_code_growth(leaks, code);
  return leaks;
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
  ProcessLeaks leaks = judged_with([](perfmaptest::LogBuilder& b) {
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
  ASSERT_EQ(leaks.code_growth.size(), 2u);
  EXPECT_EQ(leaks.code_growth[0].function, "a.Big.grow");
  EXPECT_EQ(leaks.code_growth[0].versions_first, 0u);
  EXPECT_EQ(leaks.code_growth[0].versions_last, 60u);
  EXPECT_EQ(leaks.code_growth[1].function, "a.Rereg.work");
  EXPECT_EQ(leaks.code_growth[1].signature, "(J)J");
  EXPECT_EQ(leaks.code_growth[1].versions_first, 4u);
  EXPECT_EQ(leaks.code_growth[1].versions_last, 22u);
  EXPECT_EQ(leaks.code_growth[1].code_bytes_last, 22u * 0x80);
}

TEST(CodeGrowth, NothingWithoutGrowthInTheLateHalfOrThreeSnapshots) {
  ProcessLeaks two = judged_with([](perfmaptest::LogBuilder& b) {
    b.method(1, "a.B", "m", "()V");
    Loads().versions(1, 5, 40, 0x10000).write(b);
  });
  EXPECT_TRUE(two.code_growth.empty());  // 40 versions, none loaded in the late half

  perfmaptest::LogBuilder b(1);
  b.method(1, "a.B", "m", "()V");
  Loads().versions(1, 35, 40, 0x10000).write(b);
  perfmap::JitCodeMap code;
  code.add_log(b.log());
  two.history.timeline.snapshot_ns = {30, 50};  // growth between them, but two snapshots show no trend
  two.judged_snapshots = 2;
  find_code_growth(two, code);
  EXPECT_TRUE(two.code_growth.empty());
  two.history.timeline.snapshot_ns = {30, 50, 80};  // the same growth, judged over three: reported
  two.judged_snapshots = 3;
  find_code_growth(two, code);
  EXPECT_EQ(two.code_growth.size(), 1u);
}

}  // namespace
}  // namespace heapdrift::test
