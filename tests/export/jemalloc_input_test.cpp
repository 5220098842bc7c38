// jemalloc heap profiles wherever a snapshot is accepted: real profiles written by
// Debian's libjemalloc (prof enabled) under a sample program, read by `heapdrift
// report`, `flamegraph`, `diff` and `export`; damaged ones rejected with one error line.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "run_process.h"
#include "temp_dir.h"

namespace heapdrift {
namespace {

namespace fs = std::filesystem;
using test::run;

// dlopen_leak under jemalloc's profiler, sampling every 4 KiB on average; prof_final
// dumps the live heap at exit, where the plugin's leaked records are still live.
// (Not thread_registry_leak: jemalloc seeds each thread's sampler from its TSD address,
// which short-lived threads reuse, so its samples of them are strongly correlated and
// the estimate strays far beyond independent-sampling error bars. dlopen_leak leaks
// from one long-lived thread.)
struct Profiled {
  test::TempDir dir;
  fs::path profile;
  uint64_t leaked_records = 0;

  Profiled() {
    auto r = run({std::string(SAMPLES_DIR) + "/dlopen_leak", "3"}, dir.path(),
                 {{"LD_PRELOAD", JEMALLOC_SO},
                  {"MALLOC_CONF", "prof:true,lg_prof_sample:12,prof_final:true,prof_prefix:" + (dir / "jeprof").string()}});
    if (r.status != 0) throw std::runtime_error("sample failed: " + r.err);
    std::smatch m;
    if (!std::regex_search(r.err, m, std::regex(R"((\d+) session records never freed)"))) {
      throw std::runtime_error("unexpected output: " + r.err);
    }
    leaked_records = std::stoull(m[1]);
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path().extension() == ".heap") profile = e.path();
    }
    if (profile.empty()) throw std::runtime_error("jemalloc wrote no profile");
  }
};

Profiled& profiled() {
  static Profiled p;
  return p;
}

double parse_bytes(const std::string& number, const std::string& unit) {
  double v = std::stod(number);
  for (const char* u : {"B", "KiB", "MiB", "GiB"}) {
    if (unit == u) return v;
    v *= 1024;
  }
  throw std::runtime_error("unit " + unit);
}

TEST(JemallocInput, ReportNamesTheLeakAndEstimatesItsBytes) {
  const Profiled& p = profiled();
  auto r = run({HEAPDRIFT_EXE, "report", p.profile.string(), "--top", "3"}, p.dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  // "      8.62 MiB      245 KiB  99.0%     1135  plugin::SessionCache::remember  leaky_plugin.cpp:55"
  std::smatch m;
  std::regex row(R"(\n\s+([0-9.]+) (B|KiB|MiB|GiB)\s+([0-9.]+) (B|KiB|MiB|GiB)\s+[0-9.]+%\s+\d+\s+(\S+))");
  ASSERT_TRUE(std::regex_search(r.out, m, row)) << r.out;
  EXPECT_EQ(m[5], "plugin::SessionCache::remember") << r.out;
  double estimate = parse_bytes(m[1], m[2]), two_sd = parse_bytes(m[3], m[4]);
  // What the site holds per leaked record: the 6 KiB record (a jemalloc size class of
  // its own) and at most its map node (56 bytes, class 64).
  double low = double(p.leaked_records) * 6144, high = double(p.leaked_records) * (6144 + 64);
  EXPECT_GT(estimate, low - 2 * two_sd) << "4 sd below the records alone";
  EXPECT_LT(estimate, high + 2 * two_sd) << "4 sd above everything the cache holds";
}

TEST(JemallocInput, EveryCommandTakingASnapshotTakesIt) {
  const Profiled& p = profiled();
  std::string f = p.profile.string();
  auto ok = [&](std::vector<std::string> argv) {
    auto r = run(argv, p.dir.path());
    EXPECT_EQ(r.status, 0) << argv[1] << ": " << r.err;
    return r;
  };
  ok({HEAPDRIFT_EXE, "flamegraph", f, "-o", (p.dir / "f.svg").string()});
  EXPECT_TRUE(fs::exists(p.dir / "f.svg"));
  auto diff = ok({HEAPDRIFT_EXE, "diff", f, f, "--json"});
  EXPECT_NE(diff.out.find("plugin::SessionCache::remember"), std::string::npos);
  ok({HEAPDRIFT_EXE, "export", f, "--format", "folded", "-o", (p.dir / "f.folded").string()});
  std::ifstream in(p.dir / "f.folded");
  std::stringstream folded;
  folded << in.rdbuf();
  EXPECT_NE(folded.str().find(";plugin::SessionCache::remember "), std::string::npos) << folded.str();
}

// Two profiles of one process number their stacks by their place in each file: a
// stack's number in one is another stack's in the other. They are compared by what the
// stacks hold, sample by sample in neither (profiles have no sample identities).
TEST(JemallocInput, TwoProfilesOfOneProcessAreComparedStackByStack) {
  test::TempDir dir;
  auto profile = [](const std::string& records) {
    return "heap_v2/1\n  t*: 0: 0 [0: 0]\n" + records +
           "\nMAPPED_LIBRARIES:\n00401000-00402000 r-xp 00001000 fe:00 123     /nonexistent/prog\n";
  };
  const std::string big = "@ 0x401010\n  t*: 2: 8192 [0: 0]\n", small = "@ 0x401030\n  t*: 1: 100 [0: 0]\n";
  std::ofstream(dir / "jeprof.4242.0.i0.heap") << profile(big + small);
  std::ofstream(dir / "jeprof.4242.1.i1.heap") << profile(small + "@ 0x401050\n  t*: 1: 4096 [0: 0]\n" + big);
  auto r = run({HEAPDRIFT_EXE, "diff", "jeprof.4242.0.i0.heap", "jeprof.4242.1.i1.heap", "--json"}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["same_process"].get<bool>());
  std::multiset<std::tuple<std::string, int64_t, int64_t>> sites;
  for (const auto& s : j["sites"]) {
    sites.insert({s["status"].get<std::string>(), s["early_bytes"].get<int64_t>(), s["late_bytes"].get<int64_t>()});
  }
  const std::multiset<std::tuple<std::string, int64_t, int64_t>> expected{
      {"same", 8192, 8192}, {"same", 100, 100}, {"new", 0, 4096}};
  EXPECT_EQ(sites, expected) << r.out;
  r = run({HEAPDRIFT_EXE, "diff", "jeprof.4242.0.i0.heap", "jeprof.4242.1.i1.heap"}, dir.path());
  EXPECT_NE(r.out.find("(one pid, no samples in common)"), std::string::npos) << r.out;
}

void expect_one_error(const fs::path& file, const std::string& what, const fs::path& cwd) {
  fs::path out = cwd / "out.folded";
  auto r = run({HEAPDRIFT_EXE, "export", file.string(), "--format", "folded", "-o", out.string()}, cwd);
  EXPECT_EQ(r.status, 1);
  ASSERT_EQ(test::lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find(file.string() + ": jemalloc heap profile"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "no partial output";
  r = run({HEAPDRIFT_EXE, "report", file.string()}, cwd);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(test::lines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(JemallocInput, TruncatedOrGarbageProfileIsOneClearError) {
  const Profiled& p = profiled();
  std::ifstream in(p.profile, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  test::TempDir dir;
  std::ofstream(dir / "cut-mid-line.heap") << text.substr(0, text.size() / 2 + 3);
  std::ofstream(dir / "cut-before-maps.heap") << text.substr(0, text.find("MAPPED_LIBRARIES"));
  std::ofstream(dir / "garbage.heap") << "heap_v2/4096\n@ 0x12 0x34\n  t*: lots of bytes\n";
  if (text[text.size() / 2 + 2] != '\n') expect_one_error(dir / "cut-mid-line.heap", "truncated", dir.path());
  expect_one_error(dir / "cut-before-maps.heap", "truncated: no MAPPED_LIBRARIES section", dir.path());
  expect_one_error(dir / "garbage.heap", "line 3: neither a stack nor a count line", dir.path());
}

}  // namespace
}  // namespace heapdrift
