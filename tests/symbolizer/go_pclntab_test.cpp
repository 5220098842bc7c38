// GoPclntab against Go's own reader of the same table, `go tool addr2line`, on the Go
// sample (tests/go/cgo_leak): at addresses spread over the whole text, Go's code and
// the C code linked in with it, the same function, file and line. On the build without
// symbols Go's tool would be wrong, not us: it takes the start of .text for
// runtime.text, 256 bytes early here (C's startup code comes first), where the table's
// header has it right. So both read builds with symbols, whose tables are the same
// kind; the e2e tests run the build without (tests/e2e/cgo_e2e_test.cpp).
#include "go_pclntab.h"

#include <fcntl.h>
#include <gelf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "go_table_elf.h"
#include "test_support.h"

namespace heapdrift::symbolizer {
namespace {

// An ELF file read through libelf, closed when it goes; elf is null when it cannot be.
struct ElfFile {
  explicit ElfFile(const std::string& path) : fd(open(path.c_str(), O_RDONLY)) {
    if (fd >= 0 && elf_version(EV_CURRENT) != EV_NONE) elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  }
  ~ElfFile() {
    elf_end(elf);
    if (fd >= 0) close(fd);
  }
  int fd;
  Elf* elf = nullptr;
};

struct Text {
  uint64_t start = 0, size = 0;
};

Text text_section(Elf* elf) {
  size_t names;
  if (elf_getshdrstrndx(elf, &names) != 0) return {};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) != nullptr && std::strcmp(elf_strptr(elf, names, shdr.sh_name), ".text") == 0) {
      return {shdr.sh_addr, shdr.sh_size};
    }
  }
  return {};
}

// `go tool addr2line` over `addresses`: two lines each, "function" and "file:line"
// ("?" and "?:0" outside Go's functions).
std::vector<std::string> go_addr2line(const std::string& program, const std::vector<uint64_t>& addresses) {
  const std::string input = ::testing::TempDir() + "go_pclntab_addresses.txt";
  {
    std::ofstream out(input);
    for (uint64_t a : addresses) out << std::hex << "0x" << a << "\n";
  }
  const std::string command = std::string(GO_EXECUTABLE) + " tool addr2line " + program + " < " + input;
  std::vector<std::string> lines;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return lines;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string line(buf, strcspn(buf, "\n"));
    // Go's "no line" (past a function's last instruction, in its padding) is our 0.
    if (line.ends_with(":-1")) line.replace(line.size() - 2, 2, "0");
    lines.push_back(std::move(line));
  }
  pclose(p);
  std::remove(input.c_str());
  return lines;
}

TEST(GoPclntab, AgreesWithGoToolAddr2line) {
  const char* program = CGO_LEAK;
  ElfFile file(program);
  Elf* elf = file.elf;
  ASSERT_NE(elf, nullptr) << program;
  GoPclntab table(elf);
  ASSERT_TRUE(table.valid());
  const Text text = text_section(elf);
  ASSERT_GT(text.size, 0u);
  std::vector<uint64_t> addresses;
  for (uint64_t a = text.start; a < text.start + text.size; a += 61) addresses.push_back(a);

  const std::vector<std::string> expected = go_addr2line(program, addresses);
  ASSERT_EQ(expected.size(), 2 * addresses.size());
  size_t named = 0, with_line = 0, mismatches = 0;
  for (size_t i = 0; i < addresses.size(); ++i) {
    GoLocation got = table.find(addresses[i]);
    std::string function = got.function.empty() ? "?" : std::string(got.function);
    std::string where = got.function.empty() ? "?:0" : std::string(got.file) + ":" + std::to_string(got.line);
    if (function != expected[2 * i] || where != expected[2 * i + 1]) {
      if (++mismatches <= 10) {
        ADD_FAILURE() << std::hex << "0x" << addresses[i] << ": " << function << " " << where << ", go tool addr2line: "
                      << expected[2 * i] << " " << expected[2 * i + 1];
      }
    }
    named += function != "?";
    with_line += got.line > 0;
  }
  EXPECT_EQ(mismatches, 0u) << "of " << addresses.size() << " addresses";
  // Most of the text is Go's (the runtime); the C code linked in is not in the table.
  EXPECT_GT(named, addresses.size() * 8 / 10);
  EXPECT_GT(with_line, named * 9 / 10);
  EXPECT_TRUE(table.find(text.start + text.size + 4096).function.empty());
}

// A name of Go's table or symbol table, with what the two spell differently (and
// differently from one Go release to the next) spelt one way: no ABI suffix of
// assembly functions ("runtime.asmcgocall.abi0" in the symbol table only, as DWARF
// names it too), array lengths in type algorithms' names elided ("type..eq.[5]pkg.T"
// is "type..eq.[...]pkg.T" in Go 1.19's table), and "." for the "·" of Go 1.23's table.
std::string go_name(std::string_view spelt) {
  std::string name(spelt);
  if (name.ends_with(".abi0")) name.resize(name.size() - 5);
  static const std::regex length(R"(\[[0-9]+\])"), middle_dot("\u00b7");
  return std::regex_replace(std::regex_replace(name, length, "[...]"), middle_dot, ".");
}

// Every function of the symbol table, at its middle: a Go function is named as its
// symbol is, C code linked in is not in the table. In the program as `go build` makes
// it (the table is a section of its own) and position-independent (the table lies inside
// .data.rel.ro, where Go's own tool does not find it).
class GoPclntabOf : public testing::TestWithParam<const char*> {};

TEST_P(GoPclntabOf, NamesEachGoFunctionAsItsSymbolDoes) {
  const char* program = GetParam();
  ElfFile file(program);
  Elf* elf = file.elf;
  ASSERT_NE(elf, nullptr) << program;
  GoPclntab table(elf);
  ASSERT_TRUE(table.valid());
  // The symbols, and where Go's text is: [runtime.text, runtime.etext).
  std::vector<std::pair<std::string, GElf_Sym>> functions;
  uint64_t text = 0, etext = 0;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_SYMTAB) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    for (size_t i = 0; data != nullptr && i < shdr.sh_size / shdr.sh_entsize; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, int(i), &sym) == nullptr) continue;
      const std::string name = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (name == "runtime.text") text = sym.st_value;
      if (name == "runtime.etext") etext = sym.st_value;
      if (GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_size > 0) functions.emplace_back(name, sym);
    }
  }
  ASSERT_LT(text, etext);
  size_t go = 0, c = 0;
  for (const auto& [name, sym] : functions) {
    const std::string_view found = table.find(sym.st_value + sym.st_size / 2).function;
    if (sym.st_value >= text && sym.st_value < etext) {
      ++go;
      EXPECT_EQ(go_name(found), go_name(name)) << found;
    } else {
      ++c;
      EXPECT_EQ(found, "") << name << " is C code";
    }
  }
  EXPECT_GT(go, 1000u);  // the runtime's, mostly
  EXPECT_GT(c, 10u);     // cgo's and the sample's C functions, crt's
}

INSTANTIATE_TEST_SUITE_P(Builds, GoPclntabOf, testing::Values(CGO_LEAK, CGO_LEAK_PIE),
                         [](const testing::TestParamInfo<const char*>& info) {
                           return info.param == std::string(CGO_LEAK) ? "exe" : "pie";
                         });

// Anything but a Go table of a known layout gives none: a C library, nothing at all.
TEST(GoPclntab, NoTableOutsideGoPrograms) {
  EXPECT_FALSE(GoPclntab(nullptr).valid());
  ElfFile file(test::FixtureFiles::library());
  Elf* elf = file.elf;
  ASSERT_NE(elf, nullptr);
  EXPECT_FALSE(GoPclntab(elf).valid());
  EXPECT_TRUE(GoPclntab(elf).find(0x1000).function.empty());
}

// A table shorter than its header, with a valid magic, is no table, and none of the
// header past it is read. The file ends where an inaccessible page begins, so a read
// past the section faults (it did until the size was checked; seen while writing
// tests/fuzz/go_pclntab_fuzzer.cpp).
TEST(GoPclntab, ATableShorterThanItsHeaderIsNoTable) {
  const size_t page = sysconf(_SC_PAGESIZE);
  for (size_t size = 8; size < 72; ++size) {
    std::vector<uint8_t> table(size);
    const uint8_t header[8] = {0xf0, 0xff, 0xff, 0xff, 0, 0, 1, 8};
    std::copy(std::begin(header), std::end(header), table.begin());
    const std::vector<uint8_t> file = heapdrift::test::elf_with_go_table(table, false);
    const size_t pages = (file.size() + page - 1) / page;
    void* map = mmap(nullptr, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(map, MAP_FAILED);
    ASSERT_EQ(mprotect(static_cast<char*>(map) + pages * page, page, PROT_NONE), 0);
    char* at = static_cast<char*>(map) + pages * page - file.size();
    std::memcpy(at, file.data(), file.size());
    ASSERT_EQ(elf_version(EV_CURRENT), EV_CURRENT);
    Elf* elf = elf_memory(at, file.size());
    ASSERT_NE(elf, nullptr);
    EXPECT_FALSE(GoPclntab(elf).valid()) << size << " bytes";
    elf_end(elf);
    munmap(map, (pages + 1) * page);
  }
}

}  // namespace
}  // namespace heapdrift::symbolizer
