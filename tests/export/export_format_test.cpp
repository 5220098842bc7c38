// The three export formats on a hand-made profile: folded names and values, the pprof
// message read back with protobuf, and jeprof's arithmetic (through the jemalloc
// reader, which unsamples as jeprof does).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <zlib.h>

#include "folded_export.h"
#include "jemalloc_profile_reader.h"
#include "jeprof_export.h"
#include "pprof_export.h"
#include "profile.pb.h"

namespace heapdrift {
namespace {

constexpr double kPeriod = 4096;
double weight(uint64_t size) { return 1 / -std::expm1(-double(size ? size : 1) / kPeriod); }

struct Fixture {
  FrameTable table;
  ExportProfile profile;

  FrameId frame(std::string name, FrameKind kind, bool inlined = false, std::string file = "", uint32_t line = 0) {
    Frame f;
    f.function = name, f.signature = name + "()", f.kind = kind, f.inlined = inlined, f.file = file, f.line = line;
    f.module = kind == FrameKind::kNative ? "/opt/app/prog" : "";
    return table.intern(f);
  }

  void add(std::vector<ExportLocation> locations, std::map<uint64_t, uint64_t> sizes) {
    ExportStack s{std::move(locations), 0, 0, std::move(sizes)};
    for (auto [size, count] : s.sampled_sizes) s.bytes += double(count * size) * weight(size), s.objects += count * weight(size);
    profile.stacks.push_back(std::move(s));
  }

  Fixture() {
    profile.process.pid = 77;
    profile.process.sample_rate = uint64_t(kPeriod);
    profile.process.exe = "/opt/app/prog";
    profile.modules.push_back({"/opt/app/prog", 0x10000, {0xab, 0xcd}, {{0x1000, 0x2000, 0x1000, 5}}});
    profile.maps.push_back({0x11000, 0x13000, 0x1000, format::kProtRead | format::kProtExec, "/opt/app/prog"});
    FrameId leak = frame("Store::put", FrameKind::kNative, true, "store.h", 12);
    FrameId caller = frame("Service::handle", FrameKind::kNative, false, "service.cpp", 40);
    FrameId main = frame("main", FrameKind::kNative);
    FrameId java = frame("com.example.Agent.tick", FrameKind::kJava);
    FrameId odd = frame("weird;name\nwith newline", FrameKind::kNative);
    add({{0x11234, {leak, caller}}, {0x11500, {main}}}, {{4096, 3}, {100, 2}});
    add({{0x7f0000001000, {java}}, {0x11500, {main}}}, {{64, 5}});
    add({{0x11600, {odd}}}, {{0, 1}, {8192, 1}});
  }
};

TEST(FoldedExport, RootFirstNamedLikeTheFlamegraphOneLinePerStack) {
  Fixture f;
  std::string out = folded_stacks(f.profile, f.table);
  std::string expected =
      "main;Service::handle;Store::put_[i] " + std::to_string(std::llround(f.profile.stacks[0].bytes)) + "\n" +
      "main;com.example.Agent.tick_[j] " + std::to_string(std::llround(f.profile.stacks[1].bytes)) + "\n" +
      "weird:name with newline " + std::to_string(std::llround(f.profile.stacks[2].bytes)) + "\n";
  EXPECT_EQ(out, expected);
}

// Lines sort as their text does, whatever the frames' names: a name that is a prefix
// of another is followed by ';' or the line's end, which sort around its characters.
// Equal lines merge, frames of one name at several ids included, and so do stacks
// without frames with a frame named as they are.
TEST(FoldedExport, LinesSortAsTheirTextAndEqualLinesMerge) {
  FrameTable table;
  ExportProfile profile;
  std::mt19937 rng(9);
  const std::vector<std::string> vocabulary = {"a", "a1", "a:", "a;", "a<", "ab", "b", "[no stack]", "a b", ""};
  std::map<std::string, double> expected;
  for (int i = 0; i < 400; ++i) {
    ExportStack s;
    size_t depth = rng() % 4;
    std::vector<std::string> names;
    for (size_t d = 0; d < depth; ++d) {
      Frame f;
      f.function = vocabulary[rng() % vocabulary.size()];
      f.line = rng() % 3;  // one name at several frame ids
      f.kind = FrameKind::kNative;
      s.locations.push_back({0x1000 + d, {table.intern(f)}});  // innermost first
      names.insert(names.begin(), folded_frame_name(f));
    }
    std::string line;
    for (const std::string& n : names) line += (line.empty() ? "" : ";") + n;
    s.bytes = double(1 + rng() % 1000);
    expected[line.empty() ? "[no stack]" : line] += s.bytes;
    profile.stacks.push_back(std::move(s));
  }
  std::string want;
  for (const auto& [line, bytes] : expected) want += line + " " + std::to_string(std::llround(bytes)) + "\n";
  EXPECT_GT(std::count(want.begin(), want.end(), '\n'), 50);
  EXPECT_EQ(folded_stacks(profile, table), want);
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);  // gzip only, not zlib
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(PprofExport, HeapProfileWithInlinedLinesInnermostFirst) {
  Fixture f;
  std::string raw = pprof_profile(f.profile, f.table);
  std::string zipped = gzip(raw);
  ASSERT_GE(zipped.size(), 2u);
  EXPECT_EQ(uint8_t(zipped[0]), 0x1f);
  EXPECT_EQ(uint8_t(zipped[1]), 0x8b);
  perftools::profiles::Profile p;
  ASSERT_TRUE(p.ParseFromString(gunzip(zipped)));
  auto str = [&](int64_t i) { return p.string_table(int(i)); };
  ASSERT_GE(p.string_table_size(), 1);
  EXPECT_EQ(p.string_table(0), "");
  ASSERT_EQ(p.sample_type_size(), 2);
  EXPECT_EQ(str(p.sample_type(0).type()) + "/" + str(p.sample_type(0).unit()), "inuse_objects/count");
  EXPECT_EQ(str(p.sample_type(1).type()) + "/" + str(p.sample_type(1).unit()), "inuse_space/bytes");
  EXPECT_EQ(str(p.default_sample_type()), "inuse_space");
  EXPECT_EQ(str(p.period_type().type()), "space");
  EXPECT_EQ(p.period(), 4096);

  ASSERT_EQ(p.mapping_size(), 1);
  EXPECT_EQ(p.mapping(0).id(), 1u);
  EXPECT_EQ(p.mapping(0).memory_start(), 0x11000u);
  EXPECT_EQ(p.mapping(0).memory_limit(), 0x13000u);
  EXPECT_EQ(p.mapping(0).file_offset(), 0x1000u);
  EXPECT_EQ(str(p.mapping(0).filename()), "/opt/app/prog");
  EXPECT_EQ(str(p.mapping(0).build_id()), "abcd");
  EXPECT_TRUE(p.mapping(0).has_inline_frames());

  std::map<uint64_t, const perftools::profiles::Location*> locations;
  for (const auto& l : p.location()) locations[l.id()] = &l;
  std::map<uint64_t, std::string> functions;
  for (const auto& fn : p.function()) functions[fn.id()] = str(fn.name());
  ASSERT_EQ(p.sample_size(), 3);
  for (int i = 0; i < 3; ++i) {
    const auto& s = p.sample(i);
    const ExportStack& want = f.profile.stacks[size_t(i)];
    ASSERT_EQ(s.value_size(), 2);
    EXPECT_EQ(s.value(0), std::llround(want.objects));
    EXPECT_EQ(s.value(1), std::llround(want.bytes));
    ASSERT_EQ(size_t(s.location_id_size()), want.locations.size());
    for (int k = 0; k < s.location_id_size(); ++k) {
      ASSERT_TRUE(locations.count(s.location_id(k)));
      EXPECT_EQ(locations[s.location_id(k)]->address(), want.locations[size_t(k)].address);
    }
  }
  // The leaf of the first stack: Store::put inlined into Service::handle at one address.
  const auto* leaf = locations[p.sample(0).location_id(0)];
  EXPECT_EQ(leaf->mapping_id(), 1u);
  ASSERT_EQ(leaf->line_size(), 2);
  EXPECT_EQ(functions[leaf->line(0).function_id()], "Store::put");
  EXPECT_EQ(leaf->line(0).line(), 12);
  EXPECT_EQ(functions[leaf->line(1).function_id()], "Service::handle");
  // JIT code has no mapping; the shared caller location is one Location.
  EXPECT_EQ(locations[p.sample(1).location_id(0)]->mapping_id(), 0u);
  EXPECT_EQ(p.sample(0).location_id(1), p.sample(1).location_id(1));
}

// A module that dlclose unloaded: a mapping of its own where nothing was mapped since;
// none where /opt/app/prog is mapped now (its locations there keep prog's mapping).
void add_unloaded_modules(ExportProfile& p) {
  p.unloaded_modules = {{{"/opt/app/gone.so", 0x50000, {0x0e}, {{0, 0x800, 0, 4}, {0x1000, 0x1000, 0x1000, 5}}}, 100},
                        {{"/opt/app/replaced.so", 0x10000, {}, {{0x1000, 0x1000, 0x1000, 5}}}, 200}};
}

TEST(PprofExport, AnUnloadedModuleHasAMappingWhereNothingCameSince) {
  Fixture f;
  add_unloaded_modules(f.profile);
  FrameId gone = f.frame("gone_leak", FrameKind::kNative);
  f.add({{0x51234, {gone}}}, {{4096, 1}});
  perftools::profiles::Profile p;
  ASSERT_TRUE(p.ParseFromString(gunzip(gzip(pprof_profile(f.profile, f.table)))));
  auto str = [&](int64_t i) { return p.string_table(int(i)); };
  ASSERT_EQ(p.mapping_size(), 2);
  EXPECT_EQ(str(p.mapping(1).filename()), "/opt/app/gone.so");
  EXPECT_EQ(p.mapping(1).memory_start(), 0x51000u);
  EXPECT_EQ(p.mapping(1).memory_limit(), 0x52000u);
  EXPECT_EQ(str(p.mapping(1).build_id()), "0e");
  int found = 0;
  for (const auto& l : p.location()) {
    if (l.address() != 0x51234) continue;
    EXPECT_EQ(l.mapping_id(), p.mapping(1).id());
    ++found;
  }
  EXPECT_EQ(found, 1);
}

TEST(JeprofExport, AnUnloadedModuleIsMappedWhereNothingCameSince) {
  Fixture f;
  add_unloaded_modules(f.profile);
  std::string text = jeprof_heap_profile(f.profile);
  EXPECT_NE(text.find("\n00051000-00052000 r-xp 00001000 00:00 0 "), std::string::npos) << text;
  EXPECT_NE(text.find("\n00050000-00051000 r--p 00000000 00:00 0 "), std::string::npos) << text;
  EXPECT_EQ(text.find("replaced.so"), std::string::npos) << text;
}

TEST(JeprofExport, JeprofUnsamplingGivesBackHeapdriftsEstimates) {
  Fixture f;
  std::string text = jeprof_heap_profile(f.profile);
  EXPECT_EQ(text.substr(0, text.find('\n')), "heap_v2/4096");
  EXPECT_NE(text.find("\nMAPPED_LIBRARIES:\n00011000-00013000 r-xp 00001000 00:00 0 "), std::string::npos) << text;
  EXPECT_NE(text.find("@ 0x11234 0x11500\n  t*: 3: 12288 [0: 0]\n"), std::string::npos) << text;
  // Read back with jeprof's formula (the jemalloc reader applies it per record).
  Snapshot back = parse_jemalloc_profile({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, "x");
  std::map<std::vector<uint64_t>, double> bytes;
  for (const Sample& s : back.samples) bytes[back.stacks.at(s.stack_id).frames] += double(s.size) * s.weight;
  EXPECT_NEAR((bytes[{0x11234, 0x11500}]), f.profile.stacks[0].bytes, 1e-6 * f.profile.stacks[0].bytes);
  EXPECT_NEAR((bytes[{0x7f0000001000, 0x11500}]), f.profile.stacks[1].bytes, 1e-6 * f.profile.stacks[1].bytes);
  // The zero-byte sample is left out (it stands for 0 bytes; jeprof would divide by 0).
  EXPECT_NEAR((bytes[{0x11600}]), f.profile.stacks[2].bytes, 1e-6 * f.profile.stacks[2].bytes);
}

TEST(JeprofExport, ExactModeIsWrittenUnscaled) {
  Fixture f;
  f.profile.process.sample_rate = 1;
  std::string text = jeprof_heap_profile(f.profile);
  EXPECT_EQ(text.substr(0, text.find('\n')), "heap_v2/0");
}

}  // namespace
}  // namespace heapdrift
