// `heapdrift export` on real recordings of the samples (the real shim), each format
// checked against the snapshot it came from, and read by the real consumers that are
// installed here: jeprof (Debian's jemalloc), `go tool pprof` (Debian's Go).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <zlib.h>

#include "pprof_export.h"
#include "profile.pb.h"
#include "recording.h"
#include "run_process.h"
#include "snapshot_reader.h"
#include "temp_dir.h"

namespace heapdrift {
namespace {

namespace fs = std::filesystem;
using test::run;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A recording of one sample, made once per test program.
struct Recorded {
  test::TempDir dir;
  fs::path latest;  // the latest snapshot of the main process
  double bytes = 0, objects = 0;  // its estimates: sum of size * weight, of weight
  uint64_t sample_rate = 0;

  explicit Recorded(const std::string& sample) {
    auto r = run({HEAPDRIFT_EXE, "record", "-o", (dir / "rec").string(), "--sample-rate", "64K", "--interval", "1s",
                  "--", std::string(SAMPLES_DIR) + "/" + sample, "3"},
                 dir.path());
    if (r.status != 0) throw std::runtime_error("record failed: " + r.err);
    Recording rec = read_recording(dir / "rec");
    latest = rec.main_process()->snapshots.back().path;
    Snapshot s = read_snapshot(latest);
    for (const Sample& x : s.samples) bytes += double(x.size) * x.weight, objects += x.weight;
    sample_rate = s.process.sample_rate;
  }
};

Recorded& registry() {
  static Recorded r("thread_registry_leak");
  return r;
}

std::string export_as(const Recorded& r, const std::string& format) {
  fs::path out = r.dir / ("out." + format);
  auto res = run({HEAPDRIFT_EXE, "export", (r.dir / "rec").string(), "--format", format, "-o", out.string()}, r.dir.path());
  EXPECT_EQ(res.status, 0) << res.err;
  EXPECT_EQ(res.err, "");
  return read_file(out);
}

TEST(ExportCli, FoldedStacksSumToTheEstimateAndTheLeakIsTheLargestLeaf) {
  std::string folded = export_as(registry(), "folded");
  std::regex line_re(R"(([^;\n]+(;[^;\n]+)*) (\d+))");
  double sum = 0, largest = 0;
  std::string largest_stack;
  size_t lines = 0;
  for (const std::string& line : test::lines(folded)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, line_re)) << line;
    double v = std::stod(m[3]);
    sum += v, ++lines;
    if (v > largest) largest = v, largest_stack = m[1];
  }
  EXPECT_NEAR(sum, registry().bytes, double(lines)) << "one rounding per line at most";
  EXPECT_TRUE(largest_stack.ends_with(";ThreadRegistry::onThreadStart")) << largest_stack;
  EXPECT_TRUE(largest_stack.starts_with("__clone3;start_thread;")) << "root first: " << largest_stack;
}

perftools::profiles::Profile pprof_of(const Recorded& r) {
  std::string zipped = export_as(r, "pprof");
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string raw(64 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(zipped.data());
  z.avail_in = uInt(zipped.size());
  z.next_out = reinterpret_cast<Bytef*>(raw.data());
  z.avail_out = uInt(raw.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END) << "a gzip stream";
  raw.resize(z.total_out);
  inflateEnd(&z);
  perftools::profiles::Profile p;
  EXPECT_TRUE(p.ParseFromString(raw));
  return p;
}

TEST(ExportCli, PprofValuesMatchTheSnapshotAndLocationsLieInTheirMappings) {
  const Recorded& r = registry();
  perftools::profiles::Profile p = pprof_of(r);
  auto str = [&](int64_t i) { return p.string_table(int(i)); };
  ASSERT_EQ(p.sample_type_size(), 2);
  EXPECT_EQ(str(p.default_sample_type()), "inuse_space");
  EXPECT_EQ(uint64_t(p.period()), r.sample_rate);
  std::map<uint64_t, const perftools::profiles::Mapping*> mappings;
  for (const auto& m : p.mapping()) mappings[m.id()] = &m;
  std::map<uint64_t, const perftools::profiles::Location*> locations;
  for (const auto& l : p.location()) {
    locations[l.id()] = &l;
    if (l.mapping_id() == 0) continue;
    ASSERT_TRUE(mappings.count(l.mapping_id()));
    EXPECT_GE(l.address(), mappings[l.mapping_id()]->memory_start());
    EXPECT_LT(l.address(), mappings[l.mapping_id()]->memory_limit());
  }
  std::map<uint64_t, std::string> functions;
  for (const auto& f : p.function()) functions[f.id()] = str(f.name());
  double objects = 0, bytes = 0, largest = 0;
  std::string leaf;
  for (const auto& s : p.sample()) {
    objects += double(s.value(0)), bytes += double(s.value(1));
    for (uint64_t id : s.location_id()) ASSERT_TRUE(locations.count(id));
    if (s.value(1) > largest && s.location_id_size() > 0) {
      const auto* l = locations[s.location_id(0)];
      largest = double(s.value(1));
      leaf = l->line_size() ? functions[l->line(l->line_size() - 1).function_id()] : "";
    }
  }
  EXPECT_NEAR(bytes, r.bytes, double(p.sample_size()));
  EXPECT_NEAR(objects, r.objects, double(p.sample_size()));
  EXPECT_EQ(leaf, "ThreadRegistry::onThreadStart");
  // mapping[0] is the main binary, with the build-id the shim recorded.
  Snapshot s = read_snapshot(r.latest);
  ASSERT_GE(p.mapping_size(), 1);
  EXPECT_EQ(str(p.mapping(0).filename()), s.modules[0].path);
  std::string hex;
  for (uint8_t b : s.modules[0].build_id) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
  EXPECT_EQ(str(p.mapping(0).build_id()), hex);
}

TEST(ExportCli, PprofInlinedFunctionComesFirstInItsLocation) {
  static Recorded r("inline_leak");
  perftools::profiles::Profile p = pprof_of(r);
  std::map<uint64_t, std::string> functions;
  for (const auto& f : p.function()) functions[f.id()] = p.string_table(int(f.name()));
  bool found = false;
  for (const auto& l : p.location()) {
    if (l.line_size() < 2 || functions[l.line(0).function_id()] != "Journal::append_entry") continue;
    found = true;
    EXPECT_EQ(functions[l.line(l.line_size() - 1).function_id()], "Journal::record_event");
  }
  EXPECT_TRUE(found) << "a location of Journal::append_entry inlined into Journal::record_event";
}

// The real pprof: Debian's Go ships it as `go tool pprof`.
TEST(ExportCli, GoToolPprofReadsTheProfile) {
  if (run({"sh", "-c", "command -v go"}, "/").status != 0) GTEST_SKIP() << "go not installed (scripts/setup installs golang-go)";
  const Recorded& r = registry();
  export_as(r, "pprof");
  auto res = run({"go", "tool", "pprof", "-top", "-sample_index=inuse_space", (r.dir / "out.pprof").string()},
                 r.dir.path(), {{"HOME", r.dir.path().string()}, {"PPROF_TMPDIR", r.dir.path().string()}});
  ASSERT_EQ(res.status, 0) << res.err;
  // "Showing nodes accounting for 12.05MB, 100% of 12.05MB total", then the header, then the top row.
  std::vector<std::string> lines = test::lines(res.out);
  auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.find("flat%") != std::string::npos; });
  ASSERT_NE(header, lines.end()) << res.out;
  ASSERT_NE(header + 1, lines.end());
  EXPECT_TRUE((header + 1)->ends_with(" ThreadRegistry::onThreadStart")) << res.out;
  std::smatch m;
  std::regex total_re(R"(of ([0-9.]+)MB total)");
  ASSERT_TRUE(std::regex_search(res.out, m, total_re)) << res.out;
  EXPECT_NEAR(std::stod(m[1]), r.bytes / 1048576, 0.01);
}

// The real jeprof symbolizes the export with the program and the maps it carries, and
// its unsampling gives heapdrift's estimate back.
TEST(ExportCli, JeprofTextPutsTheLeakOnTopWithHeapdriftsTotal) {
  const Recorded& r = registry();
  export_as(r, "jeprof");
  auto res = run({"jeprof", "--text", std::string(SAMPLES_DIR) + "/thread_registry_leak", (r.dir / "out.jeprof").string()},
                 r.dir.path(), {{"HOME", r.dir.path().string()}});
  ASSERT_EQ(res.status, 0) << res.err;
  std::vector<std::string> lines = test::lines(res.out);
  auto total = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("Total: "); });
  ASSERT_NE(total, lines.end()) << res.out << res.err;
  EXPECT_NEAR(std::stod(total->substr(7)), r.bytes / 1048576, 0.051) << *total;  // jeprof prints 0.1 MB
  ASSERT_NE(total + 1, lines.end());
  EXPECT_TRUE((total + 1)->ends_with(" ThreadRegistry::onThreadStart")) << res.out;
}

TEST(ExportCli, BadInputLeavesNoFileAndOneErrorLine) {
  test::TempDir dir;
  std::ofstream(dir / "bad.hds") << "not a snapshot";
  auto res = run({HEAPDRIFT_EXE, "export", (dir / "bad.hds").string(), "--format", "pprof", "-o", (dir / "out").string()},
                 dir.path());
  EXPECT_EQ(res.status, 1);
  EXPECT_EQ(test::lines(res.err).size(), 1u) << res.err;
  EXPECT_NE(res.err.find("bad.hds"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out"));
  res = run({HEAPDRIFT_EXE, "export", (dir / "bad.hds").string(), "--format", "svg", "-o", (dir / "out").string()},
            dir.path());
  EXPECT_EQ(res.status, 2) << "an unknown format is a usage error";
  EXPECT_EQ(test::lines(res.err).size(), 1u) << res.err;
}

}  // namespace
}  // namespace heapdrift
