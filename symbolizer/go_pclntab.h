// Go's own table of functions (.gopclntab): function, file and line for an address in
// a Go program that has neither DWARF nor a symbol table. Production Go binaries are
// often built with `-ldflags=-s -w`, which removes both, but the runtime needs this
// table for its tracebacks, so it is always there; `go tool addr2line` reads it too.
//
// The layout is Go 1.18's and later's (magic 0xfffffff0, 0xfffffff1 from 1.20; Go's
// runtime/symtab.go): a header, a sorted table of function entries (offsets from the
// start of the text), a record per function, and "pc-value" tables, runs of
// (value delta, pc delta) varints, which give the file index and the line at each pc.
// The table is its own section, or in a position-independent program somewhere in
// .data.rel.ro, found by its header (and looked for there only in a Go program, one
// with a .go.buildinfo section). Inlining is recorded elsewhere and not read: an
// inlined function shows as the one it was inlined into. Older layouts, and a table
// whose text start the file leaves to a relocation, give none (`valid()` is false).
#ifndef HEAPDRIFT_SYMBOLIZER_GO_PCLNTAB_H
#define HEAPDRIFT_SYMBOLIZER_GO_PCLNTAB_H

#include <cstdint>
#include <string_view>

#include <libelf.h>

namespace heapdrift::symbolizer {

struct GoLocation {
  std::string_view function;  // "main.(*Sender).Send"; empty when the address is in no Go function
  std::string_view file;      // as the compiler recorded it (an absolute path)
  int32_t line = 0;           // 0 when unknown
};

class GoPclntab {
 public:
  // The table of `elf`, read in place: the Elf must outlive it.
  explicit GoPclntab(Elf* elf);

  bool valid() const { return nfunc_ > 0; }
  // The location of `address`, an ELF virtual address (a call's return address less one).
  GoLocation find(uint64_t address) const;

 private:
  // Takes the table at `data` (`size` bytes to the end of its section) when its header
  // is one of a known layout whose tables fit.
  bool read_header(const uint8_t* data, uint64_t size);
  uint32_t u32(uint64_t offset) const;
  // The value a pc-value table (at `offset` in the pc tables) holds at `pc`, in the
  // function starting at `entry`; -1 where it says nothing.
  int32_t pc_value(uint32_t offset, uint64_t entry, uint64_t pc) const;
  std::string_view string_at(uint64_t offset) const;

  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t nfunc_ = 0;
  uint64_t text_start_ = 0;
  uint64_t funcnames_ = 0, cutab_ = 0, filetab_ = 0, pctab_ = 0, functab_ = 0;  // offsets in the section
};

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_GO_PCLNTAB_H
