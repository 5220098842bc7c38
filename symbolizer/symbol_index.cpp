#include "symbol_index.h"

#include <algorithm>
#include <cstring>

namespace heapdrift::symbolizer {
namespace {

int rank_of(const GElf_Sym& sym, const char* name) {
  int binding = GELF_ST_BIND(sym.st_info) == STB_GLOBAL ? 0 : GELF_ST_BIND(sym.st_info) == STB_WEAK ? 1 : 2;
  int underscores = 0;
  while (name[underscores] == '_' && underscores < 9) ++underscores;
  return binding * 10 + underscores;
}

}  // namespace

SymbolIndex::SymbolIndex(Dwfl_Module* module) {
  int count = dwfl_module_getsymtab(module);
  for (int i = 1; i < count; ++i) {
    GElf_Sym sym;
    GElf_Addr address = 0;
    GElf_Word shndx = 0;
    const char* name = dwfl_module_getsym_info(module, i, &sym, &address, &shndx, nullptr, nullptr);
    if (name == nullptr || *name == '\0' || address == 0) continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE) continue;
    if (shndx == SHN_UNDEF || shndx == SHN_ABS) continue;
    entries_.push_back({address, address + sym.st_size, name, rank_of(sym, name)});
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.rank != b.rank) return a.rank < b.rank;
    return std::strlen(a.name) < std::strlen(b.name);
  });
  // Sizeless symbols run to the next symbol's start (the last one, one page).
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].end != entries_[i].start) continue;
    size_t j = i + 1;
    while (j < entries_.size() && entries_[j].start == entries_[i].start) ++j;
    entries_[i].end = j < entries_.size() ? entries_[j].start : entries_[i].start + 4096;
  }
  max_end_.resize(entries_.size());
  Dwarf_Addr running = 0;
  for (size_t i = 0; i < entries_.size(); ++i) max_end_[i] = running = std::max(running, entries_[i].end);
}

const char* SymbolIndex::find(Dwarf_Addr address) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), address,
                             [](Dwarf_Addr a, const Entry& e) { return a < e.start; });
  // The smallest symbol containing the address; among equals, the first in sort order
  // (the preferred alias), which the backward scan meets last.
  const Entry* best = nullptr;
  for (size_t i = static_cast<size_t>(it - entries_.begin()); i-- > 0 && max_end_[i] > address;) {
    const Entry& e = entries_[i];
    if (address < e.end && (best == nullptr || e.end - e.start <= best->end - best->start)) best = &e;
  }
  return best != nullptr ? best->name : nullptr;
}

}  // namespace heapdrift::symbolizer
