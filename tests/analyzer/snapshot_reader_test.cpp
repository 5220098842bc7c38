// The reader against files written with preload's SnapshotEncoder: every field
// round-trips, and each rule of docs/FORMAT.md is enforced with a one-line error.
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "snapshot_builder.h"
#include "snapshot_reader.h"
#include "temp_dir.h"

namespace heapdrift::test {
namespace {

using format::Section;

constexpr uint32_t tag(Section s) { return static_cast<uint32_t>(s); }

// The error message of parsing `bytes`, or "" if it parsed.
std::string parse_error(const std::vector<uint8_t>& bytes, std::string_view name = "snap-000003.hds") {
  try {
    parse_snapshot(bytes, name);
  } catch (const SnapshotError& e) {
    return e.what();
  }
  return "";
}

std::vector<RawSection> without(std::vector<RawSection> sections, Section s) {
  std::erase_if(sections, [&](const RawSection& r) { return r.tag == tag(s); });
  return sections;
}

RawSection& find(std::vector<RawSection>& sections, Section s) {
  for (RawSection& r : sections) {
    if (r.tag == tag(s)) return r;
  }
  throw std::logic_error("no such section");
}

TEST(SnapshotReader, RoundTripsEveryField) {
  const Snapshot original = rich_snapshot();
  Snapshot read = parse_snapshot(encode_snapshot(original), "rich.hds");
  // Field groups first, so that a failure says where; then the whole model.
  EXPECT_EQ(read.process, original.process);
  EXPECT_EQ(read.counters, original.counters);
  ASSERT_TRUE(read.memory.has_value());
  EXPECT_EQ(read.memory, original.memory);
  EXPECT_EQ(read.modules, original.modules);
  EXPECT_EQ(read.maps, original.maps);
  EXPECT_EQ(read.stacks, original.stacks);
  EXPECT_EQ(read.samples, original.samples);
  EXPECT_EQ(read, original);
  EXPECT_EQ(read.process.arguments(),
            (std::vector<std::string>{"java", "-Xmx1g", "", "-cp", "app dir/x.jar", "Main"}));
  EXPECT_EQ(read.modules[0].build_id.size(), 20u);
  EXPECT_EQ(read.stacks.at(7).frames.size(), 64u);
  EXPECT_EQ(read.samples[1].weight, 21845.666666666668);
}

// As the shim writes them where libzstd loads: the same model, from a smaller file.
TEST(SnapshotReader, RoundTripsACompressedFile) {
  const Snapshot original = rich_snapshot();
  const std::vector<uint8_t> plain = encode_snapshot(original);
  const std::vector<uint8_t> compressed = encode_snapshot(original, Compression::kZstd);
  ASSERT_EQ(compressed[0], 0x28);  // zstd's magic number, little-endian
  EXPECT_LT(compressed.size(), plain.size());
  EXPECT_EQ(parse_snapshot(compressed, "rich.hds"), original);

  // Past one encoder buffer and one compressor output buffer (64 KiB each).
  Snapshot big = original;
  for (uint64_t i = 0; i < 3000; ++i) {
    const std::string path = "/usr/lib/x86_64-linux-gnu/libfoo.so." + std::to_string(i % 7);
    big.maps.push_back({i << 16, (i << 16) + 4096, 0, 5, path});
  }
  const std::vector<uint8_t> big_plain = encode_snapshot(big);
  ASSERT_GT(big_plain.size(), 128u * 1024);
  const std::vector<uint8_t> big_compressed = encode_snapshot(big, Compression::kZstd);
  EXPECT_LT(big_compressed.size(), big_plain.size() / 4);  // paths and addresses that repeat
  EXPECT_EQ(parse_snapshot(big_compressed, "big.hds"), big);
}

TEST(SnapshotReader, RejectsDamageAroundACompressedFile) {
  const std::vector<uint8_t> bytes = encode_snapshot(rich_snapshot(), Compression::kZstd);
  std::vector<uint8_t> trailing = bytes;
  trailing.push_back(0);
  EXPECT_EQ(parse_error(trailing), "snap-000003.hds: 1 bytes follow the compressed data's checksum");
  EXPECT_EQ(parse_error({bytes.begin(), bytes.end() - 1}),
            "snap-000003.hds: truncated: the checksum after the compressed data is missing");
  EXPECT_EQ(parse_error({bytes.begin(), bytes.end() - 17}),
            "snap-000003.hds: truncated: the compressed data ends early");
  std::vector<uint8_t> flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  EXPECT_EQ(parse_error(flipped), "snap-000003.hds: checksum mismatch: the compressed data is damaged");
  std::vector<uint8_t> no_trailer = bytes;
  no_trailer[no_trailer.size() - 16] ^= 1;
  EXPECT_EQ(parse_error(no_trailer), "snap-000003.hds: corrupt: no checksum frame after the compressed data");
  std::vector<uint8_t> garbage = bytes;
  for (size_t i = 4; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 37);
  EXPECT_EQ(parse_error(garbage).rfind("snap-000003.hds: corrupt compressed data (zstd: ", 0), 0u)
      << parse_error(garbage);
  // What a frame holds is read as that file would be.
  std::vector<uint8_t> plain = encode_snapshot(rich_snapshot());
  EXPECT_EQ(parse_snapshot(zstd_frame(plain), "rich.hds"), rich_snapshot());
  plain[0] = 'X';
  EXPECT_EQ(parse_error(zstd_frame(plain)), "snap-000003.hds: not a heapdrift snapshot (bad magic)");
  EXPECT_EQ(parse_error(zstd_frame({})), "snap-000003.hds: not a heapdrift snapshot (bad magic)");
}

TEST(SnapshotReader, ReadsAFileAndNamesItInErrors) {
  TempDir dir;
  write_bytes(dir / "snap-000001.hds", encode_snapshot(rich_snapshot()));
  EXPECT_EQ(read_snapshot(dir / "snap-000001.hds"), rich_snapshot());

  const auto missing = dir / "snap-000009.hds";
  try {
    read_snapshot(missing);
    FAIL() << "read a missing file";
  } catch (const SnapshotError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(missing.string() + ": ", 0), 0u) << e.what();
  }
}

// A reader of a series reads and inflates each file into the memory of files before
// it, decodes its samples into those of the snapshot before, and checksums it as it
// loads it: each reads as it would alone, damage as damage.
TEST(SnapshotReader, FilesLoadedIntoTheMemoryOfAnotherReadAsAlone) {
  TempDir dir;
  Snapshot big = rich_snapshot();
  for (uint64_t i = 0; i < 3000; ++i) big.maps.push_back({i << 16, (i << 16) + 4096, 0, 5, "/lib/x.so"});
  std::vector<uint8_t> damaged = encode_snapshot(rich_snapshot());
  damaged[damaged.size() - 40] ^= 0x01;  // inside the samples payload
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> files{
      {"small", encode_snapshot(small_snapshot(), Compression::kZstd)},
      {"big", encode_snapshot(big, Compression::kZstd)},  // more than the memory it gets
      {"rich", encode_snapshot(rich_snapshot(), Compression::kZstd)},
      {"fewer samples", encode_snapshot(small_snapshot(), Compression::kZstd)},
      {"plain", encode_snapshot(rich_snapshot())},
      {"damaged inside its frame", zstd_frame(damaged)},
      {"damaged", damaged}};
  const std::vector<Snapshot> expected{small_snapshot(), big, rich_snapshot(), small_snapshot(), rich_snapshot()};
  OwnedBytes read_buffer, spare;
  std::vector<Sample> samples;
  for (size_t i = 0; i < files.size(); ++i) {
    SCOPED_TRACE(files[i].first);
    const auto path = dir / ("snap-00000" + std::to_string(i + 1) + ".hds");
    write_bytes(path, files[i].second);
    LoadedSnapshot loaded = load_snapshot_file(path, std::move(read_buffer), std::move(spare));
    if (i < expected.size()) {
      Snapshot s = parse_snapshot_file(loaded, {}, std::move(samples));
      EXPECT_EQ(s, expected[i]);
      samples = std::move(s.samples);
    } else {
      try {
        parse_snapshot_file(loaded);
        ADD_FAILURE() << "read a damaged file";
      } catch (const SnapshotError& e) {
        EXPECT_EQ(std::string(e.what()), path.string() + ": checksum mismatch (the file is corrupt)");
      }
    }
    read_buffer = std::move(loaded.spare);
    spare = std::move(loaded.contents);
  }
}

TEST(SnapshotReader, MemorySectionMayBeAbsent) {
  Snapshot s = small_snapshot();
  s.memory.reset();
  Snapshot read = parse_snapshot(encode_snapshot(s), "x");
  EXPECT_FALSE(read.memory.has_value());
  EXPECT_EQ(read, s);
}

TEST(SnapshotReader, SkipsUnknownSectionsAnywhere) {
  std::vector<RawSection> sections = encode_sections(rich_snapshot());
  sections.insert(sections.begin(), {10, {1, 2, 3}});
  sections.insert(sections.begin() + 3, {0x1234, {}});
  sections.push_back({0, std::vector<uint8_t>(100, 0xee)});
  sections.push_back({10, {9}});  // unknown sections may repeat
  EXPECT_EQ(parse_snapshot(encode_file(sections), "x"), rich_snapshot());
}

TEST(SnapshotReader, SectionOrderDoesNotMatter) {
  std::vector<RawSection> sections = encode_sections(rich_snapshot());
  std::reverse(sections.begin(), sections.end());
  EXPECT_EQ(parse_snapshot(encode_file(sections), "x"), rich_snapshot());
}

TEST(SnapshotReader, RejectsWrongMagic) {
  std::vector<uint8_t> bytes = encode_snapshot(small_snapshot());
  bytes[0] = 'X';
  EXPECT_EQ(parse_error(bytes), "snap-000003.hds: not a heapdrift snapshot (bad magic)");
  EXPECT_EQ(parse_error({}), "snap-000003.hds: not a heapdrift snapshot (bad magic)");
  EXPECT_NE(parse_error({'E', 'L', 'F'}).find("bad magic"), std::string::npos);
}

TEST(SnapshotReader, RejectsOtherVersions) {
  EXPECT_EQ(parse_error(with_version(encode_snapshot(small_snapshot()), 3)),
            "snap-000003.hds: unsupported format version 3 (this heapdrift reads versions 1 to 2)");
  EXPECT_EQ(parse_error(with_version(encode_snapshot(small_snapshot()), 0)),
            "snap-000003.hds: unsupported format version 0 (this heapdrift reads versions 1 to 2)");
}

// Version 1 files (before interpreted frames) stay readable: no frame_methods section,
// and a tag 8 section in them was an unknown one, skipped.
TEST(SnapshotReader, ReadsVersionOneFiles) {
  Snapshot v1 = rich_snapshot();
  v1.stacks.erase(9);
  std::erase_if(v1.samples, [](const Sample& s) { return s.stack_id == 9; });
  std::vector<RawSection> sections = without(encode_sections(v1), Section::kFrameMethods);
  EXPECT_EQ(parse_snapshot(with_version(encode_file(sections), 1), "v1"), v1);
  sections.push_back({8, {1, 2, 3}});
  EXPECT_EQ(parse_snapshot(with_version(encode_file(sections), 1), "v1"), v1);
  // Version 2 requires the section.
  EXPECT_EQ(parse_error(encode_file(without(encode_sections(v1), Section::kFrameMethods))),
            "snap-000003.hds: the section 'frame_methods' is missing");
}

TEST(SnapshotReader, FrameMethodsRoundTripParallelToFrames) {
  Snapshot read = parse_snapshot(encode_snapshot(rich_snapshot()), "x");
  const Stack& s = read.stacks.at(9);
  ASSERT_EQ(s.methods.size(), s.frames.size());
  EXPECT_EQ(s.methods[0], 0x7f00beef0100u);
  EXPECT_EQ(s.methods[1], 0u);
  EXPECT_EQ(s.methods[2], 0xFFFFFFFFFFFFFFFFu);
  EXPECT_TRUE(read.stacks.at(7).methods.empty());
}

TEST(SnapshotReader, RejectsFrameMethodsThatDoNotMatchTheirStack) {
  auto error_with = [](const std::function<void(Snapshot&)>& change) {
    Snapshot s = rich_snapshot();
    change(s);
    return parse_error(encode_snapshot(s));
  };
  EXPECT_EQ(error_with([](Snapshot& s) { s.stacks.at(9).methods.pop_back(); }),
            "snap-000003.hds: section 'frame_methods' is malformed: stack 9 has 3 frames but 2 methods");
  EXPECT_EQ(error_with([](Snapshot& s) { s.stacks.at(9).flags = 0; }),
            "snap-000003.hds: section 'frame_methods' is malformed: stack 9 has methods but not the flag that announces them");
  EXPECT_EQ(error_with([](Snapshot& s) { s.stacks.at(9).methods.clear(); }),
            "snap-000003.hds: section 'frame_methods' is malformed: stack 9 announces methods but has none");
  std::vector<RawSection> sections = encode_sections(rich_snapshot());
  find(sections, Section::kFrameMethods).payload = Payload().u32(1).u32(77).u16(0).u16(0).bytes;
  EXPECT_EQ(parse_error(encode_file(sections)),
            "snap-000003.hds: section 'frame_methods' is malformed: stack 77 is not in the stacks section");
}

TEST(SnapshotReader, RejectsDuplicateSections) {
  for (Section s : {Section::kProcess, Section::kMemory, Section::kUnloadedModules, Section::kStacks,
                    Section::kSamples}) {
    std::vector<RawSection> sections = encode_sections(rich_snapshot());
    sections.push_back(find(sections, s));
    EXPECT_NE(parse_error(encode_file(sections)).find("appears more than once"), std::string::npos)
        << static_cast<uint32_t>(s);
  }
}

TEST(SnapshotReader, RejectsMissingRequiredSections) {
  const std::pair<Section, const char*> required[] = {
      {Section::kProcess, "process"}, {Section::kCounters, "counters"}, {Section::kModules, "modules"},
      {Section::kMaps, "maps"},       {Section::kStacks, "stacks"},     {Section::kSamples, "samples"},
      {Section::kFrameMethods, "frame_methods"}};
  for (const auto& [section, name] : required) {
    EXPECT_EQ(parse_error(encode_file(without(encode_sections(rich_snapshot()), section))),
              std::string("snap-000003.hds: the section '") + name + "' is missing");
  }
}

TEST(SnapshotReader, RejectsSampleWithUnknownStack) {
  Snapshot s = small_snapshot();
  s.samples.push_back({0x7000, 16, 1000, 1.0, 99, 1});
  EXPECT_EQ(parse_error(encode_snapshot(s)),
            "snap-000003.hds: sample 2 refers to stack 99, which is not in the file");
}

TEST(SnapshotReader, StackIdZeroMeansNoStack) {
  Snapshot s = small_snapshot();
  s.stacks.clear();
  for (Sample& x : s.samples) x.stack_id = format::kOverflowStackId;
  EXPECT_EQ(parse_snapshot(encode_snapshot(s), "x"), s);

  s.stacks = {{0, {0, 0, {0x1}, {}}}};  // but no stack may claim id 0
  EXPECT_NE(parse_error(encode_snapshot(s)).find("reserved id 0"), std::string::npos);
}

TEST(SnapshotReader, RejectsDuplicateStackIds) {
  Payload stacks;
  stacks.u32(2).u32(5).u16(1).u16(0).u64(0x10).u32(5).u16(0).u16(0);
  std::vector<RawSection> sections = encode_sections(small_snapshot());
  find(sections, Section::kStacks).payload = stacks.bytes;
  find(sections, Section::kSamples).payload = encode_samples({});
  EXPECT_NE(parse_error(encode_file(sections)).find("stack id 5 appears twice"), std::string::npos);
}

// A reader that holds a process's stacks already skips them: they are still
// validated, and samples may still refer to them.
TEST(SnapshotReader, StackFilterSkipsStacksButNotTheirChecks) {
  const Snapshot original = rich_snapshot();
  ASSERT_GE(original.stacks.size(), 2u);
  const uint32_t kept = original.stacks.begin()->first;
  std::vector<uint32_t> asked;
  auto only_first = [&](const ProcessInfo& p, uint32_t id) {
    EXPECT_EQ(p, original.process);  // the filter sees the snapshot's process
    asked.push_back(id);
    return id == kept;
  };
  Snapshot read = parse_snapshot(encode_snapshot(original), "rich.hds", only_first);
  EXPECT_EQ(asked.size(), original.stacks.size());
  ASSERT_EQ(read.stacks.size(), 1u);
  EXPECT_EQ(read.stacks.at(kept), original.stacks.at(kept));
  EXPECT_EQ(read.samples, original.samples);

  auto none = [](const ProcessInfo&, uint32_t) { return false; };
  Payload stacks;  // out of order, with a duplicate
  stacks.u32(3).u32(7).u16(1).u16(0).u64(0x10).u32(5).u16(0).u16(0).u32(7).u16(0).u16(0);
  std::vector<RawSection> sections = encode_sections(small_snapshot());
  find(sections, Section::kStacks).payload = stacks.bytes;
  find(sections, Section::kSamples).payload = encode_samples({});
  try {
    parse_snapshot(encode_file(sections), "x", none);
    ADD_FAILURE() << "a duplicate id among skipped stacks went unnoticed";
  } catch (const SnapshotError& e) {
    EXPECT_NE(std::string(e.what()).find("stack id 7 appears twice"), std::string::npos) << e.what();
  }

  Snapshot unknown = small_snapshot();
  unknown.samples.push_back({0x7000, 16, 1000, 1.0, 99, 1});
  try {
    parse_snapshot(encode_snapshot(unknown), "x", none);
    ADD_FAILURE() << "a sample referring to no stack went unnoticed";
  } catch (const SnapshotError& e) {
    EXPECT_NE(std::string(e.what()).find("refers to stack 99"), std::string::npos) << e.what();
  }
}

TEST(SnapshotReader, RejectsCountsThatCannotFit) {
  struct Case {
    Section section;
    std::vector<uint8_t> payload;
  };
  Payload huge_module_count, huge_depth, huge_samples, huge_segments, huge_kv, huge_maps, huge_unloaded;
  huge_module_count.u32(0xFFFFFFFF).str("/x").u64(0).u8(0).u32(0);
  huge_unloaded.u32(2).u64(1).str("/x").u64(0).u8(0).u32(0);
  huge_segments.u32(1).str("/x").u64(0).u8(0).u32(0x10000000);
  huge_depth.u32(1).u32(1).u16(0xFFFF).u16(0).u64(1);
  huge_samples.u64(1ull << 60);
  huge_kv.u32(0x7FFFFFFF);
  huge_maps.u32(1000);
  const Case cases[] = {{Section::kModules, huge_module_count.bytes},
                        {Section::kModules, huge_segments.bytes},
                        {Section::kStacks, huge_depth.bytes},
                        {Section::kSamples, huge_samples.bytes},
                        {Section::kCounters, huge_kv.bytes},
                        {Section::kMaps, huge_maps.bytes},
                        {Section::kUnloadedModules, huge_unloaded.bytes}};
  for (const Case& c : cases) {
    std::vector<RawSection> sections = encode_sections(rich_snapshot());
    find(sections, c.section).payload = c.payload;
    if (c.section == Section::kStacks) find(sections, Section::kSamples).payload = encode_samples({});
    EXPECT_NE(parse_error(encode_file(sections)).find("cannot fit"), std::string::npos)
        << static_cast<uint32_t>(c.section) << ": " << parse_error(encode_file(sections));
  }
}

TEST(SnapshotReader, RejectsPayloadsLongerOrShorterThanTheirFields) {
  std::vector<RawSection> sections = encode_sections(small_snapshot());
  find(sections, Section::kProcess).payload.push_back(0);
  EXPECT_EQ(parse_error(encode_file(sections)),
            "snap-000003.hds: section 'process' is malformed: 1 unexpected bytes at its end");

  sections = encode_sections(small_snapshot());
  find(sections, Section::kMaps).payload.pop_back();
  EXPECT_NE(parse_error(encode_file(sections)).find("section 'maps' is malformed"), std::string::npos);
}

TEST(SnapshotReader, RejectsWeightsThatAreNotProbabilities) {
  for (double w : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    Snapshot s = small_snapshot();
    s.samples[0].weight = w;
    EXPECT_NE(parse_error(encode_snapshot(s)).find("sample 0 has weight"), std::string::npos) << w;
  }
}

TEST(SnapshotReader, RejectsUnknownTrigger) {
  Snapshot s = small_snapshot();
  s.process.trigger = static_cast<format::Trigger>(3);
  EXPECT_NE(parse_error(encode_snapshot(s)).find("unknown trigger 3"), std::string::npos);
}

TEST(SnapshotReader, RejectsMappingThatEndsBeforeItStarts) {
  Snapshot s = small_snapshot();
  s.maps[0].end = s.maps[0].start - 1;
  EXPECT_NE(parse_error(encode_snapshot(s)).find("ends before it starts"), std::string::npos);
}

TEST(SnapshotReader, RejectsBadEndSection) {
  const std::vector<uint8_t> good = encode_snapshot(small_snapshot());

  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(parse_error(trailing), "snap-000003.hds: 1 unexpected bytes after the end section");

  std::vector<uint8_t> no_end(good.begin(), good.end() - 24);
  EXPECT_EQ(parse_error(no_end), "snap-000003.hds: truncated: the end section is missing");

  std::vector<uint8_t> bad_length = good;
  bad_length[bad_length.size() - 16] = 4;  // the end section's length field
  EXPECT_EQ(parse_error(bad_length), "snap-000003.hds: the end section has length 4, not 8");
}

TEST(SnapshotReader, TruncationNamesTheSectionThatRunsPastTheEnd) {
  std::vector<uint8_t> bytes = encode_snapshot(small_snapshot());
  bytes.resize(bytes.size() - 40);  // into the samples, the last section
  EXPECT_EQ(parse_error(bytes), "snap-000003.hds: truncated: section 'samples' runs past the end of the file");
}

TEST(SnapshotReader, ChecksumCoversThePayloads) {
  std::vector<uint8_t> bytes = encode_snapshot(small_snapshot());
  bytes[bytes.size() - 40] ^= 0x01;  // inside the samples payload; framing still fine
  EXPECT_EQ(parse_error(bytes), "snap-000003.hds: checksum mismatch (the file is corrupt)");
}

TEST(SnapshotReader, DamageIsReportedAsSuchBeforeWhatItLooksLike) {
  // A damaged tag that turns one section into a second copy of another is
  // corruption, not a writer's duplicate section.
  std::vector<uint8_t> bytes = encode_snapshot(small_snapshot());
  const size_t first_section = 16;  // right after the file header: the process section
  ASSERT_EQ(bytes[first_section], 1);
  bytes[first_section] = 2;  // process → counters
  EXPECT_EQ(parse_error(bytes), "snap-000003.hds: checksum mismatch (the file is corrupt)");
}

TEST(SnapshotReader, ArgumentsSplitAtNul) {
  ProcessInfo p;
  EXPECT_TRUE(p.arguments().empty());
  p.cmdline = "one";
  EXPECT_EQ(p.arguments(), std::vector<std::string>{"one"});
  p.cmdline = std::string("a\0b\0", 4);
  EXPECT_EQ(p.arguments(), (std::vector<std::string>{"a", "b"}));
  p.cmdline = std::string("a\0\0", 3);
  EXPECT_EQ(p.arguments(), (std::vector<std::string>{"a", ""}));
}

}  // namespace
}  // namespace heapdrift::test
