// Address -> function symbol over the symbol table libdwfl chose for a module (.symtab
// of the file or of its debug file, else .dynsym plus MiniDebugInfo), sorted once.
// dwfl_module_addrinfo would scan every symbol on each call: ~0.2 ms in libc.
//
// A symbol with a size covers [value, value + size). A symbol without one (assembly
// labels) is taken to run to the next symbol, as perf does. Among aliases at one
// address, a global name wins over a weak one over a local one, then the name with
// fewer leading underscores ("malloc" over "__libc_malloc").
#ifndef HEAPDRIFT_SYMBOLIZER_SYMBOL_INDEX_H
#define HEAPDRIFT_SYMBOLIZER_SYMBOL_INDEX_H

#include <vector>

#include <elfutils/libdwfl.h>

namespace heapdrift::symbolizer {

class SymbolIndex {
 public:
  explicit SymbolIndex(Dwfl_Module* module);

  // The name of the function symbol containing `address` (a dwfl address), or null.
  // Names live as long as the module's Dwfl session.
  const char* find(Dwarf_Addr address) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Dwarf_Addr start, end;
    const char* name;
    int rank;  // lower is preferred among aliases
  };
  std::vector<Entry> entries_;       // sorted by start
  std::vector<Dwarf_Addr> max_end_;  // running maximum of `end`
};

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_SYMBOL_INDEX_H
