#include "debug_file_finder.h"

#include <algorithm>
#include <gtest/gtest.h>

#include "elf_file.h"
#include "test_support.h"

namespace heapdrift::symbolizer {
namespace {

using test::FixtureFiles;
using test::TempDir;

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

TEST(DebugFileFinder, BuildIdPathsUnderEveryRoot) {
  DebugFileFinder finder("", {"/d1", "/usr/lib/debug"});
  std::vector<uint8_t> id = {0xab, 0xcd, 0xef, 0x01};
  EXPECT_EQ(finder.build_id_candidates(id, true),
            (std::vector<std::string>{"/d1/.build-id/ab/cdef01.debug",
                                      "/usr/lib/debug/.build-id/ab/cdef01.debug"}));
  EXPECT_EQ(finder.build_id_candidates(id, false)[0], "/d1/.build-id/ab/cdef01");
}

TEST(DebugFileFinder, DebuglinkPathsAsGdbSearchesThem) {
  DebugFileFinder finder("", {"/usr/lib/debug"});
  std::vector<std::string> c =
      finder.debuglink_candidates("/opt/app/lib/libx.so", "/opt/app/lib/libx.so", "libx.so.debug");
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(c[0], "/opt/app/lib/libx.so.debug");
  EXPECT_EQ(c[1], "/opt/app/lib/.debug/libx.so.debug");
  EXPECT_TRUE(contains(c, "/usr/lib/debug/opt/app/lib/libx.so.debug"));
}

TEST(DebugFileFinder, SysrootPrefixesTheModuleNotItsTargetDirectory) {
  DebugFileFinder finder("/srv/root/", {"/srv/root/usr/lib/debug"});
  EXPECT_EQ(finder.on_disk("/usr/lib/libx.so"), "/srv/root/usr/lib/libx.so");
  std::vector<std::string> c =
      finder.debuglink_candidates("/usr/lib/libx.so", finder.on_disk("/usr/lib/libx.so"), "libx.debug");
  EXPECT_EQ(c[0], "/srv/root/usr/lib/libx.debug");
  EXPECT_TRUE(contains(c, "/srv/root/usr/lib/debug/usr/lib/libx.debug"));
  EXPECT_FALSE(contains(c, "/srv/root/usr/lib/debug/srv/root/usr/lib/libx.debug"));
}

// A container's root: its absolute links lead within it, as they did in the container,
// not to this machine's files.
TEST(DebugFileFinder, SysrootLinksAreFollowedInsideTheSysroot) {
  TempDir root;
  const std::filesystem::path r = root.path();
  std::filesystem::create_directories(r / "usr/lib/x86_64-linux-gnu");
  std::filesystem::create_directories(r / "usr/lib64");
  std::filesystem::create_directory_symlink("usr/lib64", r / "lib64");
  std::filesystem::create_directory_symlink("usr/lib", r / "lib");
  std::filesystem::create_symlink("/lib/x86_64-linux-gnu/ld-2.31.so", r / "usr/lib64/ld-linux-x86-64.so.2");
  std::filesystem::create_symlink("../../../../../etc/../lib/x86_64-linux-gnu/libz.so.1.2.11",
                                  r / "usr/lib/x86_64-linux-gnu/libz.so.1");
  DebugFileFinder finder(r.string(), {});
  EXPECT_EQ(finder.on_disk("/lib64/ld-linux-x86-64.so.2"), r.string() + "/usr/lib/x86_64-linux-gnu/ld-2.31.so");
  EXPECT_EQ(finder.on_disk("/lib/x86_64-linux-gnu/libz.so.1"),
            r.string() + "/usr/lib/x86_64-linux-gnu/libz.so.1.2.11");
  std::filesystem::create_symlink("/loop", r / "loop");
  EXPECT_EQ(finder.on_disk("/loop"), r.string() + "/loop");
}

TEST(DebugFileFinder, VerifiesBuildIdAndCrc) {
  std::string error;
  auto library = ElfFile::open(FixtureFiles::library(), &error);
  ASSERT_TRUE(library) << error;
  std::vector<uint8_t> id = library->build_id();
  ASSERT_FALSE(id.empty());
  std::string why;
  EXPECT_TRUE(verify_file(FixtureFiles::debug_file(), id, std::nullopt, &why)) << why;
  EXPECT_FALSE(verify_file(FixtureFiles::rebuilt(), id, std::nullopt, &why));
  EXPECT_NE(why.find("build-id"), std::string::npos) << why;

  // Without build-ids, the debuglink's CRC decides.
  auto linked = ElfFile::open(FixtureFiles::debuglinked(), &error);
  ASSERT_TRUE(linked) << error;
  std::string name;
  uint32_t crc = 0;
  ASSERT_TRUE(linked->debuglink(&name, &crc));
  EXPECT_EQ(name, FixtureFiles::debuglink_name());
  EXPECT_TRUE(verify_file(FixtureFiles::debug_file(), {}, crc, &why)) << why;
  EXPECT_FALSE(verify_file(FixtureFiles::library(), {}, crc, &why));
}

TEST(DebugFileFinder, FindsADebuglinkFileAndRejectsAnotherBuilds) {
  TempDir dir;
  std::string error;
  auto library = ElfFile::open(FixtureFiles::library(), &error);
  ASSERT_TRUE(library) << error;
  std::vector<uint8_t> id = library->build_id();
  std::string module = (dir / "lib/libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::debuglinked(), module);
  DebugLink link{FixtureFiles::debuglink_name(), 0};

  // Another build's debug file at the right place is not taken.
  test::copy_file(FixtureFiles::rebuilt(), dir / "lib/.debug" / link.name);
  DebugFileFinder finder("", {(dir / "debug").string()});
  std::vector<std::string> rejected;
  EXPECT_FALSE(finder.find_debug_file(module, module, id, link, &rejected));
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0].find("build-id"), std::string::npos);

  test::copy_file(FixtureFiles::debug_file(), dir / "debug" / dir.path().relative_path() / "lib" / link.name);
  rejected.clear();
  auto found = finder.find_debug_file(module, module, id, link, &rejected);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, (dir / "debug" / dir.path().relative_path() / "lib" / link.name).string());
}

}  // namespace
}  // namespace heapdrift::symbolizer
