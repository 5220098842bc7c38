// InflatedDwarf against objcopy's compressed copies of the fixture (zlib and zstd): the sections libdw
// is handed are byte for byte the uncompressed file's, files without compressed
// DWARF are left to libdwfl, and a damaged stream is refused rather than half read.
#include "inflated_dwarf.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "test_support.h"

namespace heapdrift::symbolizer {
namespace {

using test::debug_sections;
using test::FixtureFiles;
using test::PlainElf;
using test::Section;
using test::TempDir;

void expect_uncompressed_sections(const std::string& variant) {
  SCOPED_TRACE(variant);
  PlainElf compressed(variant);
  std::map<std::string, Section> packed = debug_sections(compressed.get());
  ASSERT_TRUE(packed.count(".debug_info"));
  ASSERT_TRUE(packed[".debug_info"].flags & SHF_COMPRESSED) << "the premise: objcopy compressed it";

  std::unique_ptr<InflatedDwarf> inflated = InflatedDwarf::open(variant);
  ASSERT_NE(inflated, nullptr);
  ASSERT_NE(inflated->dwarf(), nullptr);
  PlainElf original(FixtureFiles::library());
  std::map<std::string, Section> expected = debug_sections(original.get());
  std::map<std::string, Section> got = debug_sections(inflated->elf());
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [name, section] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(got.count(name));
    if (name == ".debug_loclists") {  // variables' locations: hidden from libdw, not inflated
      EXPECT_EQ(got[name].type, SHT_NOBITS);
      continue;
    }
    EXPECT_EQ(got[name].type, section.type);
    EXPECT_FALSE(got[name].flags & SHF_COMPRESSED);
    EXPECT_EQ(got[name].bytes, section.bytes);
  }
  EXPECT_TRUE(expected.count(".debug_loclists")) << "the premise: gcc -O2 -g writes location lists";
  // libdw reads compile units from them.
  Dwarf_Off offset = 0, next = 0;
  size_t header = 0;
  EXPECT_EQ(dwarf_nextcu(inflated->dwarf(), offset, &next, &header, nullptr, nullptr, nullptr), 0);
}

TEST(InflatedDwarf, HandsLibdwTheUncompressedSections) {
  expect_uncompressed_sections(FixtureFiles::compressed());
  expect_uncompressed_sections(FixtureFiles::compressed_zstd());
}

TEST(InflatedDwarf, SeparateCompressedDebugFile) {
  std::unique_ptr<InflatedDwarf> inflated = InflatedDwarf::open(FixtureFiles::compressed_debug());
  ASSERT_NE(inflated, nullptr);
  // objcopy --only-keep-debug keeps the object's segments: its addresses line up.
  PlainElf object(FixtureFiles::library());
  EXPECT_NE(load_end(object.get()), 0u);
  EXPECT_EQ(load_end(inflated->elf()), load_end(object.get()));
  EXPECT_FALSE(has_debug_info(PlainElf(FixtureFiles::strip_debug()).get()));
  EXPECT_TRUE(has_debug_info(inflated->elf()));
}

TEST(InflatedDwarf, UncompressedOrMissingDwarfIsLeftToLibdwfl) {
  EXPECT_EQ(InflatedDwarf::open(FixtureFiles::library()), nullptr);
  EXPECT_EQ(InflatedDwarf::open(FixtureFiles::debug_file()), nullptr);
  EXPECT_EQ(InflatedDwarf::open(FixtureFiles::strip_debug()), nullptr);
  EXPECT_EQ(InflatedDwarf::open("/nonexistent/libx.so"), nullptr);
}

// zlib only: its streams end in a checksum. objcopy's zstd frames carry none, so junk
// that still decodes goes unseen there (as it would in any zstd reader).
TEST(InflatedDwarf, DamagedStreamIsRefused) {
  TempDir dir;
  // Junk in the middle of the stream (past the 24-byte header).
  test::copy_damaged_compressed(FixtureFiles::compressed(), dir / "damaged.so", 400, std::string(16, '\xa5'));
  EXPECT_EQ(InflatedDwarf::open((dir / "damaged.so").string()), nullptr);
}

TEST(InflatedDwarf, ImpossibleSizeIsRefused) {
  for (const std::string& variant : {FixtureFiles::compressed(), FixtureFiles::compressed_zstd()}) {
    SCOPED_TRACE(variant);
    TempDir dir;
    // Elf64_Chdr::ch_size (after ch_type and ch_reserved) claims 1 TiB.
    uint64_t size = uint64_t{1} << 40;
    std::string bytes(reinterpret_cast<const char*>(&size), sizeof(size));
    test::copy_damaged_compressed(variant, dir / "damaged.so", 8, bytes);
    EXPECT_EQ(InflatedDwarf::open((dir / "damaged.so").string()), nullptr);
  }
}

}  // namespace
}  // namespace heapdrift::symbolizer
