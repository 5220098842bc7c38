// find_caller_leaks on a history built by hand: sites too weak to be suspects on their
// own are judged together by the Java method that reaches them.
#include "caller_leaks.h"

#include <gtest/gtest.h>

#include "leaks_text.h"

namespace heapdrift {
namespace {

// 13 snapshots, one every 5 s from 1 s; sites whose frames are an allocating native
// function called from a Java method (or from native code only).
class CallerLeaks : public testing::Test {
 protected:
  CallerLeaks() {
    h_.sample_rate = 512 * 1024;
    for (int k = 0; k <= 12; ++k) {
      SnapshotSummary s;
      s.process.mono_ns = uint64_t(5 * k + 1) * 1000000000;
      h_.timeline.snapshot_ns.push_back(s.process.mono_ns);
      h_.snapshots.push_back(s);
    }
  }

  FrameId frame(const std::string& function, FrameKind kind) {
    Frame f;
    f.function = f.signature = function;
    f.kind = kind;
    f.module = kind == FrameKind::kNative ? "/usr/lib/libapp.so" : "";
    return table_.intern(f);
  }

  // A site that keeps one sample (64 KiB × 8) born every `every_ms` from `from_s` s to
  // `to_s` s, live from then to the end: a leak that, alone, is too weak when slow.
  void add_site(const std::string& function, const std::string& caller, uint64_t every_ms, uint64_t from_s = 0,
                uint64_t to_s = 61, const char* via = nullptr) {
    SiteHistory site;
    site.frames = {frame(function, FrameKind::kNative)};
    if (via) site.frames.push_back(frame(via, FrameKind::kJvm));
    if (!caller.empty()) site.frames.push_back(frame(caller, FrameKind::kJava));
    for (uint64_t ms = from_s * 1000 + 300; ms < to_s * 1000; ms += every_ms) {
      uint32_t first = uint32_t((ms + 3999) / 5000);  // the first snapshot (at 5k + 1 s) after it
      if (first <= 12) site.samples.push_back({ms * 1000000, 65536 * 8.0, 8, first, 12});
    }
    h_.sites.push_back(std::move(site));
  }

  ProcessLeaks judge() {
    ProcessLeaks r = find_leaks(h_, LeakCriteria{});
    find_caller_leaks(r, table_, LeakCriteria{});
    return r;
  }

  ProcessHistory h_;
  FrameTable table_;
};

TEST_F(CallerLeaks, WeakSitesOfOneCallerLeakTogether) {
  // Four sites under App.handle, each with ~9 samples born in the late half: z ~ 3
  // each, below the test's 4; together ~ 6.
  for (const char* f : {"Thread::allocate", "Thread::Thread", "ParkEvent::Allocate", "allocate_dtv"}) {
    add_site(f, "App.handle", 3300);
  }
  ProcessLeaks r = judge();
  EXPECT_TRUE(r.suspects.empty());
  ASSERT_EQ(r.caller_leaks.size(), 1u);
  const CallerLeak& c = r.caller_leaks[0];
  EXPECT_EQ(table_[c.caller].function, "App.handle");
  EXPECT_EQ(c.sites.size(), 4u);
  EXPECT_TRUE(c.verdict.leak);
  EXPECT_GE(c.verdict.window.z, 4.0);
  for (size_t i = 1; i < c.growth.size(); ++i) EXPECT_GE(c.growth[i - 1], c.growth[i]);
}

TEST_F(CallerLeaks, SuspectsNativeOnlySitesAndCachesAreNotGrouped) {
  // A suspect of its own beside one weak site of the same caller: that caller's other
  // sites are one, which is no group.
  add_site("Registry::put", "App.register", 250);
  add_site("Registry::grow", "App.register", 3300);
  // Weak sites without a Java caller.
  for (const char* f : {"a", "b", "c", "d"}) add_site(f, "", 3300);
  // A cache under one caller that filled in the first 20 s and then held.
  for (const char* f : {"Cache::entry", "Cache::node", "Cache::key", "Cache::value"}) {
    add_site(f, "App.cache", 500, 0, 20);
  }
  ProcessLeaks r = judge();
  ASSERT_EQ(r.suspects.size(), 1u);
  EXPECT_EQ(r.suspects[0].site, 0u);
  EXPECT_TRUE(r.caller_leaks.empty());
}

TEST_F(CallerLeaks, AreShownAfterTheSuspectsAndInTheJson) {
  add_site("Registry::put", "App.register", 250);
  for (const char* f : {"Thread::allocate", "Thread::Thread", "ParkEvent::Allocate", "allocate_dtv"}) {
    add_site(f, "App.handle", 3300);
  }
  std::vector<ProcessLeaks> r = {judge()};
  ASSERT_EQ(r[0].suspects.size(), 1u);
  ASSERT_EQ(r[0].caller_leaks.size(), 1u);
  const std::string printed = leaks_text(r, table_);
  EXPECT_NE(printed.find("1 leaking, and 1 caller whose sites leak together"), std::string::npos) << printed;
  EXPECT_NE(printed.find("#2 App.handle  (4 sites)"), std::string::npos) << printed;
  auto j = leaks_json(r, table_, 10);
  ASSERT_EQ(j["caller_leaks"].size(), 1u);
  EXPECT_EQ(j["caller_leaks"][0]["caller"]["function"], "App.handle");
  EXPECT_EQ(j["caller_leaks"][0]["sites"].size(), 4u);
  EXPECT_GT(j["caller_leaks"][0]["growth_bytes"].get<double>(), 0);
}

// A group whose sites are a thread's blocks (allocated under JVM_StartThread) carries the
// note that threads are started and never end, in the text and the JSON.
TEST_F(CallerLeaks, ThreadsStartedAndNeverEndedSaySo) {
  for (const char* f : {"Thread::allocate", "Thread::Thread", "ParkEvent::Allocate", "allocate_dtv"}) {
    add_site(f, "App.startWorker", 3300, 0, 61, "JVM_StartThread");
  }
  std::vector<ProcessLeaks> r = {judge()};
  ASSERT_EQ(r[0].caller_leaks.size(), 1u);
  auto j = leaks_json(r, table_, 10);
  ASSERT_TRUE(j["caller_leaks"][0].contains("note")) << j["caller_leaks"][0].dump(1);
  EXPECT_NE(j["caller_leaks"][0]["note"].get<std::string>().find("never end"), std::string::npos);
}

}  // namespace
}  // namespace heapdrift
