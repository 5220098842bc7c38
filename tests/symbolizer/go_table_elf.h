// A minimal ELF file around a Go pc table of any bytes, for the table reader's tests
// and its fuzz target (tests/fuzz/go_pclntab_fuzzer.cpp): the table as a .gopclntab
// section of its own, or inside .data.rel.ro beside a .go.buildinfo, as a
// position-independent Go program keeps it.
#ifndef HEAPDRIFT_TESTS_SYMBOLIZER_GO_TABLE_ELF_H
#define HEAPDRIFT_TESTS_SYMBOLIZER_GO_TABLE_ELF_H

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace heapdrift::test {

// An ELF file of a header, the section headers, the section names and the table's
// section, each part 8-byte aligned as a linker would place them, with an empty
// .go.buildinfo. The table comes last, so that the sanitizer sees a read past it.
inline std::vector<uint8_t> elf_with_go_table(std::span<const uint8_t> table, bool relocated) {
  const std::string_view names("\0.gopclntab\0.data.rel.ro\0.go.buildinfo\0.shstrtab\0", 50);
  const uint32_t table_name = relocated ? 12 : 1, buildinfo_name = 25, names_name = 39;
  auto align = [](size_t n) { return (n + 7) & ~size_t{7}; };
  const size_t headers_off = sizeof(Elf64_Ehdr);
  const size_t names_off = headers_off + 4 * sizeof(Elf64_Shdr);
  const size_t table_off = align(names_off + names.size());
  std::vector<uint8_t> file(table_off + table.size());

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_shoff = headers_off;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 4;
  eh.e_shstrndx = 3;
  std::memcpy(file.data(), &eh, sizeof eh);
  std::copy(table.begin(), table.end(), file.begin() + table_off);
  std::copy(names.begin(), names.end(), file.begin() + names_off);

  Elf64_Shdr sh[4]{};
  sh[1] = {table_name, SHT_PROGBITS, SHF_ALLOC, 0x500000, table_off, table.size(), 0, 0, 8, 0};
  sh[2] = {buildinfo_name, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0, 0, 0, 0, 0, 16, 0};
  sh[3] = {names_name, SHT_STRTAB, 0, 0, names_off, names.size(), 0, 0, 1, 0};
  std::memcpy(file.data() + headers_off, sh, sizeof sh);
  return file;
}

}  // namespace heapdrift::test

#endif  // HEAPDRIFT_TESTS_SYMBOLIZER_GO_TABLE_ELF_H
