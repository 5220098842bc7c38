// One ELF object as the symbolizer reads it, opened on its first lookup: which file
// stands for it on this machine (checked against the build-id the snapshot recorded),
// a libdwfl session over that file that finds its separate debug info through
// DebugFileFinder (then libdw's standard search, with debuginfod), and lookups of
// module-relative addresses: DWARF first, where DWARF says nothing a Go program's own
// table (go_pclntab.h), then the symbol tables.
//
// When the file on disk is not the build the process ran (another build-id), it is
// not used at all: a file of the recorded build-id is searched in the debug roots and
// through debuginfod, and failing that the module's frames stay module+offset. Any
// such problem is summed up in warning(), one line per module.
#ifndef HEAPDRIFT_SYMBOLIZER_MODULE_SYMBOLS_H
#define HEAPDRIFT_SYMBOLIZER_MODULE_SYMBOLS_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <elfutils/libdwfl.h>

#include "debug_file_finder.h"
#include "demangle.h"
#include "module_desc.h"
#include "symbol_frame.h"
#include "symbolizer.h"

namespace heapdrift::symbolizer {

class DwarfLookup;
class GoPclntab;
class InflatedDwarf;
class SymbolIndex;

class ModuleSymbols {
 public:
  ModuleSymbols(ModuleDesc desc, const DebugFileFinder* finder, bool use_debuginfod);
  ~ModuleSymbols();
  ModuleSymbols(const ModuleSymbols&) = delete;
  ModuleSymbols& operator=(const ModuleSymbols&) = delete;

  const ModuleDesc& desc() const { return desc_; }
  bool opened() const { return opened_; }

  // Appends the frames at `pc` (an ELF address: runtime address - load bias),
  // innermost first; appends nothing when nothing is known. Fills everything but
  // `module` and `module_offset`.
  void lookup(uint64_t pc, std::vector<SymbolFrame>* frames);

  const std::string& warning() const { return warning_; }
  ModuleStatus status() const;

 private:
  void open();
  bool report(int fd, const std::string& file);
  // The module's DWARF with its compressed sections inflated ahead of libdw, when it
  // has such sections and libdwfl would need no address translation for it.
  std::unique_ptr<InflatedDwarf> open_inflated(Elf* main);
  int find_debuginfo(Dwfl_Module* mod, void** userdata, const char* modname, Dwarf_Addr base,
                     const char* file_name, const char* debuglink_file, GElf_Word debuglink_crc,
                     char** debuginfo_file_name);
  // The module's separate debug file as DebugFileFinder finds it (the rejected
  // candidates become notes).
  std::optional<std::string> own_debug_file();
  static int find_debuginfo_callback(Dwfl_Module* mod, void** userdata, const char* modname,
                                     Dwarf_Addr base, const char* file_name,
                                     const char* debuglink_file, GElf_Word debuglink_crc,
                                     char** debuginfo_file_name);
  const DemangledName& names(const char* symbol);
  void add_note(std::string note);

  ModuleDesc desc_;
  const DebugFileFinder* finder_;
  bool use_debuginfod_;
  bool opened_ = false;

  std::string debuginfo_path_;  // dwfl's search path string, for its standard callbacks
  char* debuginfo_path_ptr_ = nullptr;
  Dwfl_Callbacks callbacks_{};
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* module_ = nullptr;
  Dwarf_Addr main_bias_ = 0;  // dwfl address = ELF address + main_bias_
  Dwarf_Addr dwarf_bias_ = 0;
  std::unique_ptr<InflatedDwarf> inflated_;  // when set, dwarf_ reads its Dwarf, not libdwfl's
  std::string inflated_file_;                // its file, when not the object itself
  std::unique_ptr<DwarfLookup> dwarf_;
  std::unique_ptr<SymbolIndex> symbols_;
  std::unique_ptr<GoPclntab> go_;  // a Go program's table, when it has one

  std::string elf_file_;
  std::vector<uint8_t> expected_build_id_;  // what debug files must carry
  std::optional<DebugLink> debuglink_;
  std::string disk_path_;

  std::vector<std::string> notes_;
  std::string warning_;
  std::unordered_map<const char*, DemangledName> demangled_;  // by libdw's string pointers
  // The names of DwarfFrame::scope's, once looked up (hash lookups add up for a JVM).
  std::vector<const DemangledName*> scope_names_;
};

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_MODULE_SYMBOLS_H
