// What the symbolizer tests share: temporary directories, the fixture library loaded
// once per process with its sites, and the fixture's build variants (stripped copies,
// separate debug file, a rebuilt copy with another build-id).
#ifndef HEAPDRIFT_TESTS_SYMBOLIZER_TEST_SUPPORT_H
#define HEAPDRIFT_TESTS_SYMBOLIZER_TEST_SUPPORT_H

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <libelf.h>

#include "fixture/fixture_api.h"
#include "module_desc.h"

namespace heapdrift::symbolizer::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& p) const { return path_ / p; }

 private:
  std::filesystem::path path_;
};

// Copies `from` to `to`, creating the directories on the way.
void copy_file(const std::filesystem::path& from, const std::filesystem::path& to);

// A file opened with libelf for the tests' own reading.
class PlainElf {
 public:
  explicit PlainElf(const std::string& path);
  ~PlainElf();
  PlainElf(const PlainElf&) = delete;
  PlainElf& operator=(const PlainElf&) = delete;
  Elf* get() const { return elf_; }

 private:
  int fd_;
  Elf* elf_;
};

struct Section {
  uint64_t type = 0;
  uint64_t flags = 0;
  uint64_t offset = 0;  // in the file
  std::string bytes;    // as elf_getdata() gives them (compressed ones with their header)
};

// The .debug_* sections of `elf` by name.
std::map<std::string, Section> debug_sections(Elf* elf);

// Copies `from` (one of the compressed fixtures) to `to` with `bytes` written `offset`
// bytes into its (compressed) .debug_info section.
void copy_damaged_compressed(const std::string& from, const std::filesystem::path& to, uint64_t offset,
                             const std::string& bytes);

// The build's fixture files (paths given by CMake).
struct FixtureFiles {
  static std::string library();      // libhdsym_fixture.so, -g -O2
  static std::string rebuilt();      // the same sources rebuilt differently
  static std::string debug_file();   // objcopy --only-keep-debug of library()
  static std::string strip_debug();  // strip --strip-debug
  static std::string strip_all();    // strip --strip-all
  static std::string debuglinked();  // strip --strip-all + --add-gnu-debuglink=<debug_file()>
  static std::string debuglink_name();  // the name recorded in debuglinked()
  static std::string compressed();        // objcopy --compress-debug-sections=zlib of library()
  static std::string compressed_debug();  // the same of debug_file()
  static std::string compressed_zstd();   // objcopy --compress-debug-sections=zstd of library()
};

// The fixture library, dlopen'ed once per process, and what its entry points report.
struct LoadedFixture {
  static const LoadedFixture& get();

  HdsymSite plain;
  HdsymSite hidden;
  HdsymInlineSite inlined;
  HdsymNoreturnSite noreturn;
  std::vector<ModuleDesc> modules;  // the process's, after the dlopen
  int index = -1;                   // the fixture's entry in `modules`

  const ModuleDesc& desc() const { return modules[static_cast<size_t>(index)]; }
  // `modules` with the fixture's entry recorded under another path (the same
  // build-id, load bias and segments), as if the process had loaded it from there.
  std::vector<ModuleDesc> modules_with_fixture_at(const std::string& path) const;
  // The runtime address minus the load bias.
  uint64_t offset(const void* address) const;
};

}  // namespace heapdrift::symbolizer::test

#endif  // HEAPDRIFT_TESTS_SYMBOLIZER_TEST_SUPPORT_H
