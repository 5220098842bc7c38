// The jemalloc heap profile reader on small hand-written profiles: what each record
// becomes, jeprof's unsampling, and one clear error for every kind of damage.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "jemalloc_profile_reader.h"
#include "snapshot_reader.h"

namespace heapdrift {
namespace {

const std::string kProfile =
    "heap_v2/4096\n"
    "  t*: 3: 8292 [0: 0]\n"
    "  t0: 3: 8292 [0: 0]\n"
    "@ 0x401010 0x401020\n"
    "  t*: 2: 8192 [0: 0]\n"
    "  t0: 2: 8192 [0: 0]\n"
    "@ 0x401030\n"
    "  t*: 1: 100 [3: 300]\n"
    "\n"
    "MAPPED_LIBRARIES:\n"
    "00400000-00401000 r--p 00000000 fe:00 123     /nonexistent/prog\n"
    "00401000-00402000 r-xp 00001000 fe:00 123     /nonexistent/prog\n"
    "7ffd0000-7ffd1000 rw-p 00000000 00:00 0       [stack]\n";

Snapshot parse(const std::string& text, const std::string& name = "jeprof.4242.0.f.heap") {
  return parse_jemalloc_profile({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, name);
}

std::string error_of(const std::string& text) {
  try {
    parse(text, "p.heap");
  } catch (const SnapshotError& e) {
    return e.what();
  }
  return "";
}

TEST(JemallocProfileReader, DetectsByContent) {
  auto bytes = [](const std::string& s) { return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  EXPECT_TRUE(is_jemalloc_profile(bytes(kProfile)));
  EXPECT_FALSE(is_jemalloc_profile(bytes("heap profile: 1: 2 [3: 4] @ heapprofile\n")));
  EXPECT_FALSE(is_jemalloc_profile(bytes("HDSNAP")));
}

TEST(JemallocProfileReader, RecordsBecomeWeightedSamplesAsJeprofUnsamplesThem) {
  Snapshot s = parse(kProfile);
  EXPECT_EQ(s.process.pid, 4242u);
  EXPECT_EQ(s.process.sample_rate, 4096u);
  EXPECT_EQ(s.process.exe, "/nonexistent/prog");
  ASSERT_EQ(s.stacks.size(), 2u);
  EXPECT_EQ(s.stacks.at(1).frames, (std::vector<uint64_t>{0x401010, 0x401020}));
  EXPECT_EQ(s.stacks.at(2).frames, (std::vector<uint64_t>{0x401030}));
  ASSERT_EQ(s.samples.size(), 3u);
  double bytes1 = 0, bytes2 = 0;
  for (const Sample& x : s.samples) (x.stack_id == 1 ? bytes1 : bytes2) += double(x.size) * x.weight;
  // jeprof's AdjustSamples: bytes / (1 - exp(-(bytes/objects)/period)).
  EXPECT_NEAR(bytes1, 8192 / (1 - std::exp(-4096.0 / 4096)), 1e-6);
  EXPECT_NEAR(bytes2, 100 / (1 - std::exp(-100.0 / 4096)), 1e-6);
  EXPECT_NE(s.samples[0].address, s.samples[1].address) << "samples need distinct identities";
  ASSERT_EQ(s.maps.size(), 3u);
  EXPECT_EQ(s.maps[1].prot, format::kProtRead | format::kProtExec);
  EXPECT_EQ(s.maps[1].offset, 0x1000u);
  EXPECT_EQ(s.maps[2].path, "[stack]");
  // A missing file: one module, its bias from the lowest mapping, no build-id.
  ASSERT_EQ(s.modules.size(), 1u);
  EXPECT_EQ(s.modules[0].load_bias, 0x400000u);
  EXPECT_TRUE(s.modules[0].build_id.empty());
}

TEST(JemallocProfileReader, PeriodZeroMeansUnsampled) {
  std::string text = kProfile;
  text.replace(0, 12, "heap_v2/0");
  Snapshot s = parse(text);
  for (const Sample& x : s.samples) EXPECT_EQ(x.weight, 1.0);
}

TEST(JemallocProfileReader, EveryTruncationMidLineIsAnError) {
  for (size_t n = 1; n < kProfile.size(); ++n) {
    if (kProfile[n - 1] == '\n') continue;  // cut at a line end: may still be a whole profile
    std::string e = error_of(kProfile.substr(0, n));
    EXPECT_NE(e.find("p.heap: "), std::string::npos) << n << ": " << e;
  }
  EXPECT_EQ(error_of(kProfile.substr(0, kProfile.find("MAPPED"))),
            "p.heap: jemalloc heap profile: truncated: no MAPPED_LIBRARIES section");
  EXPECT_EQ(error_of(kProfile.substr(0, 40)), "p.heap: jemalloc heap profile: truncated: the last line is incomplete");
}

TEST(JemallocProfileReader, GarbageIsAnErrorNamingTheLine) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string t = kProfile;
    t.replace(t.find(from), from.size(), to);
    return error_of(t);
  };
  EXPECT_EQ(error_of("heap_v2/abc\n"), "p.heap: jemalloc heap profile: line 1: not a heap_v2/<sample period> header");
  EXPECT_EQ(with("@ 0x401030", "@ 0x40zz30"), "p.heap: jemalloc heap profile: line 7: bad address in a stack");
  EXPECT_EQ(with("  t*: 1: 100 [3: 300]", "  t*: 1: 100"),
            "p.heap: jemalloc heap profile: line 8: neither a stack nor a count line");
  EXPECT_EQ(with("  t*: 2: 8192 [0: 0]\n", ""), "p.heap: jemalloc heap profile: line 4: a stack without its t* line");
  EXPECT_EQ(with("00401000-00402000 r-xp", "00401000-00402000 r?xp"),
            "p.heap: jemalloc heap profile: line 12: not a /proc/self/maps line");
  EXPECT_NE(with("  t*: 1: 100 [", "  t*: 99999999999: 100 ["), "") << "a huge count must not be believed";
}

}  // namespace
}  // namespace heapdrift
