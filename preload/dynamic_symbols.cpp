#include "dynamic_symbols.h"

#include <cstdint>
#include <cstring>

namespace heapdrift {
namespace {

uint32_t gnu_hash(const char* name) {
  uint32_t h = 5381;
  for (const unsigned char* p = reinterpret_cast<const unsigned char*>(name); *p; ++p) h = h * 33 + *p;
  return h;
}

enum class Found { kNo, kYes, kNoTable };

// The object's entry for `name` (in *symbol when found), from its GNU hash table.
Found find(const dl_phdr_info& object, const char* name, const ElfW(Sym)** symbol_found) {
  const ElfW(Dyn)* dynamic = nullptr;
  for (int i = 0; i < object.dlpi_phnum; ++i) {
    if (object.dlpi_phdr[i].p_type == PT_DYNAMIC) {
      dynamic = reinterpret_cast<const ElfW(Dyn)*>(object.dlpi_addr + object.dlpi_phdr[i].p_vaddr);
    }
  }
  if (dynamic == nullptr) return Found::kNo;  // nothing exported
  uintptr_t gnu_hash_table = 0, symbols = 0, strings = 0;
  for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
    if (d->d_tag == DT_GNU_HASH) gnu_hash_table = d->d_un.d_ptr;
    if (d->d_tag == DT_SYMTAB) symbols = d->d_un.d_ptr;
    if (d->d_tag == DT_STRTAB) strings = d->d_un.d_ptr;
  }
  if (gnu_hash_table == 0 || symbols == 0 || strings == 0) return Found::kNoTable;
  // glibc relocates these entries in place; a read-only dynamic section (the vDSO's)
  // keeps them as linked, relative to the object's base.
  auto at = [&](uintptr_t p) { return p < object.dlpi_addr ? p + object.dlpi_addr : p; };
  const auto* table = reinterpret_cast<const uint32_t*>(at(gnu_hash_table));
  const uint32_t buckets = table[0], first_symbol = table[1], bloom_words = table[2];
  if (buckets == 0) return Found::kNo;
  const auto* bucket = reinterpret_cast<const uint32_t*>(reinterpret_cast<const ElfW(Addr)*>(table + 4) + bloom_words);
  const uint32_t* chain = bucket + buckets;
  const auto* symbol = reinterpret_cast<const ElfW(Sym)*>(at(symbols));
  const char* string = reinterpret_cast<const char*>(at(strings));
  const uint32_t hash = gnu_hash(name);
  uint32_t i = bucket[hash % buckets];
  if (i == 0 || i < first_symbol) return Found::kNo;  // an empty bucket
  for (;; ++i) {
    const uint32_t link = chain[i - first_symbol];
    if ((link | 1) == (hash | 1) && strcmp(string + symbol[i].st_name, name) == 0 &&
        symbol[i].st_shndx != SHN_UNDEF) {
      *symbol_found = &symbol[i];
      return Found::kYes;
    }
    if (link & 1) break;  // the end of the bucket's chain
  }
  return Found::kNo;
}

}  // namespace

Defines may_define(const dl_phdr_info& object, const char* name) {
  const ElfW(Sym)* symbol;
  return find(object, name, &symbol) == Found::kNo ? Defines::kNo : Defines::kMaybe;
}

const void* defined_address(const dl_phdr_info& object, const char* name) {
  const ElfW(Sym)* symbol;
  if (find(object, name, &symbol) != Found::kYes) return nullptr;
  return reinterpret_cast<const void*>(object.dlpi_addr + symbol->st_value);
}

}  // namespace heapdrift
