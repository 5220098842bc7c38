// A read-only ELF file opened with libelf, and the two notes that tie files together:
// the GNU build-id (which build this is) and .gnu_debuglink (the name and CRC of its
// separate debug file); a walk over any libelf handle's named sections.
#ifndef HEAPDRIFT_SYMBOLIZER_ELF_FILE_H
#define HEAPDRIFT_SYMBOLIZER_ELF_FILE_H

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gelf.h>
#include <libelf.h>

namespace heapdrift::symbolizer {

// Lower-case hex of a build-id, as in .build-id paths and `readelf -n`.
std::string build_id_hex(std::span<const uint8_t> id);

class ElfFile {
 public:
  // Null with *error set ("/x/libfoo.so: No such file or directory", "... not an ELF file").
  static std::unique_ptr<ElfFile> open(const std::string& path, std::string* error);
  ~ElfFile();
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;

  const std::string& path() const { return path_; }
  std::vector<uint8_t> build_id() const;  // empty when the file has none
  // False when the file has no .gnu_debuglink section.
  bool debuglink(std::string* name, uint32_t* crc) const;
  // Ends the libelf handle and hands the descriptor over (to dwfl_report_elf).
  int release_fd();

 private:
  ElfFile(std::string path, int fd, Elf* elf) : path_(std::move(path)), fd_(fd), elf_(elf) {}
  std::string path_;
  int fd_;
  Elf* elf_;
};

// The CRC-32 .gnu_debuglink records for a whole file; false when it cannot be read.
bool file_crc32(const std::string& path, uint32_t* crc);

// Calls fn(scn, header, name) for each named section, in file order, until it returns false.
template <class Fn>
void for_each_section(Elf* elf, Fn fn) {
  size_t names = 0;
  if (elf_getshdrstrndx(elf, &names) != 0) return;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    const char* name = elf_strptr(elf, names, shdr.sh_name);
    if (name != nullptr && !fn(scn, shdr, std::string_view(name))) return;
  }
}

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_ELF_FILE_H
