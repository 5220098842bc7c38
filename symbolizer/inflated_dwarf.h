// A file's DWARF, its compressed debug sections (SHF_COMPRESSED) inflated before libdw
// reads them. libdw would inflate zlib's itself, at a quarter of the speed:
// openjdk-17-dbg's libjvm carries 257 MB of .debug_info, 1.84 s through zlib and 0.47 s
// through libdeflate here, paid by every analysis of a JVM. zstd's (gcc -gz=zstd,
// objcopy --compress-debug-sections=zstd) libdw 0.188 cannot read at all; libzstd does.
//
// The inflated sections take the compressed ones' place in libelf's handle, as
// libelf's own elf_compress() would leave them, and live in one mapping that asks for
// transparent huge pages (zeroing 4 KiB pages was a fifth of a JVM symbolization).
// Sections that no lookup reads (location lists, macros) are hidden from libdw instead.
#ifndef HEAPDRIFT_SYMBOLIZER_INFLATED_DWARF_H
#define HEAPDRIFT_SYMBOLIZER_INFLATED_DWARF_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <elfutils/libdw.h>
#include <libelf.h>

namespace heapdrift::symbolizer {

class InflatedDwarf {
 public:
  // Null when the file's .debug_info is not compressed (libdw reads it as fast itself),
  // when it names a dwz file (.gnu_debugaltlink: libdwfl's search finds that), or when
  // anything fails to read or inflate: the caller then has libdwfl load the DWARF as
  // usual, and report what is wrong.
  static std::unique_ptr<InflatedDwarf> open(const std::string& path);
  ~InflatedDwarf();
  InflatedDwarf(const InflatedDwarf&) = delete;
  InflatedDwarf& operator=(const InflatedDwarf&) = delete;

  Dwarf* dwarf() const { return dwarf_; }
  Elf* elf() const { return elf_; }

 private:
  InflatedDwarf() = default;

  int fd_ = -1;
  Elf* elf_ = nullptr;
  Dwarf* dwarf_ = nullptr;
  void* sections_ = nullptr;  // the inflated sections, one mapping
  size_t sections_size_ = 0;
};

// The end of the last PT_LOAD segment (0 when there is none): libdwfl lines a separate
// debug file's addresses up with its object's by this "address sync"; when the two
// files agree, DWARF addresses are the object's own.
uint64_t load_end(Elf* elf);

// Whether the file has a .debug_info section with contents (libdwfl reads the DWARF
// from the object itself then, not from a separate debug file).
bool has_debug_info(Elf* elf);

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_INFLATED_DWARF_H
