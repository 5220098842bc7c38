// jemalloc: with jemalloc preloaded behind the shim (LD_PRELOAD="<shim>:libjemalloc"),
// the shim must forward to jemalloc, C++ operators included, and still see every
// allocation: 100 live `new char[12345]` at a known site, jemalloc named as the
// allocator, and mallocx/rallocx/xallocx/sdallocx/dallocx counted exactly, a block
// resized in place by xallocx recorded at its new size. The same program
// on glibc alone must see the same 100 arrays.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

const char* const kJemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

void check_program(bool with_jemalloc) {
  if (with_jemalloc) {
    ASSERT_TRUE(fs::exists(kJemalloc)) << kJemalloc << " (package libjemalloc2) is missing";
  }
  ScratchDir scratch;
  EnvVars extra;
  if (with_jemalloc) extra.emplace_back("LD_PRELOAD", shim_library() + ":" + kJemalloc);
  RunResult r = run_program({JEMALLOC_PROGRAM}, shim_env(scratch.path() / "rec", extra), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.err.find("heapdrift:"), std::string::npos) << r.err;  // jemalloc comes after the shim
  ProgramOutput o(r.out);
  EXPECT_TRUE(o.all("unexpected").empty()) << r.out;

  const fs::path dir = scratch.path() / "rec" / std::to_string(r.pid);
  auto snaps = o.all("snaps").at(0);
  heapdrift::Snapshot s1 = read_numbered(dir, parse_number(snaps.at(0)));
  heapdrift::Snapshot s2 = read_numbered(dir, parse_number(snaps.at(1)));
  heapdrift::Snapshot s3 = read_numbered(dir, parse_number(snaps.at(2)));

  ASSERT_TRUE(s2.memory.has_value()) << "no memory section";
  EXPECT_EQ(s2.memory->allocator, with_jemalloc ? "jemalloc" : "glibc");
  if (with_jemalloc) {
    EXPECT_TRUE(s2.memory->values.contains("jemalloc.allocated"));
  }

  // The 100 arrays: each one sample of 12345 bytes, weight 1, and counted.
  const CodeRange arrays = site_range(o, "arrays");
  EXPECT_TRUE(samples_at(s1, arrays).empty());
  std::set<uint64_t> addresses;
  for (const heapdrift::Sample& s : samples_at(s2, arrays)) {
    EXPECT_EQ(s.size, 12345u);
    EXPECT_EQ(s.weight, 1.0);
    addresses.insert(s.address);
  }
  EXPECT_EQ(addresses.size(), 100u) << "distinct live arrays recorded at the site";
  EXPECT_EQ(samples_at(s2, arrays).size(), 100u);
  EXPECT_EQ(counter(s2, "alloc_calls") - counter(s1, "alloc_calls"), 100u);
  EXPECT_EQ(counter(s2, "alloc_bytes") - counter(s1, "alloc_bytes"), 100 * o.expect("array_usable"));
  EXPECT_EQ(counter(s2, "free_calls") - counter(s1, "free_calls"), 0u);

  // jemalloc's API: exact counts, and exactly the kept blocks live at that site.
  for (const char* key : {"alloc_calls", "free_calls", "alloc_bytes", "free_bytes"}) {
    EXPECT_EQ(counter(s3, key) - counter(s2, key), o.expect(key)) << "counter " << key;
  }
  std::multiset<std::pair<uint64_t, uint64_t>> expected, recorded;
  for (const auto& l : o.all("live")) expected.emplace(parse_number(l.at(0)), parse_number(l.at(1)));
  ASSERT_EQ(expected.size(), 4u) << "jemalloc_program keeps 4 blocks live at site jeapi";
  // jemalloc grows the block and shrinks it back; glibc keeps its size.
  EXPECT_EQ(o.expect("resized_in_place"), with_jemalloc ? 2u : 0u);
  for (const heapdrift::Sample& s : samples_at(s3, site_range(o, "jeapi"))) {
    recorded.emplace(s.address, s.size);
  }
  EXPECT_EQ(recorded, expected);
  EXPECT_EQ(samples_at(s3, arrays).size(), 100u) << "the arrays are still live";
}

TEST(jemalloc, behind_the_shim_sees_arrays_and_counts_jemalloc_api) { check_program(true); }

TEST(jemalloc, glibc_alone_sees_the_same_arrays) { check_program(false); }

}  // namespace
}  // namespace shimtest
