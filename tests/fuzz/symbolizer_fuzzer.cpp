// The symbolizer (symbolizer/symbolizer.h) on a module file of any bytes: a copy cut
// short on its way from a container, a debug file that is not what it says. The
// symbolizer reads the ELF headers, the symbol tables and .gnu_debuglink itself and
// inflates compressed debug sections before libdw reads them (inflated_dwarf.h): it
// must name what it can and warn about the rest. The look-ups are the addresses of
// the file's own function symbols, as libelf reads them, so that DWARF is reached.
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "symbolizer.h"

namespace {

using namespace heapdrift::symbolizer;

// Up to 64 function addresses from the file's symbol tables.
std::vector<uint64_t> function_addresses(const uint8_t* data, size_t size) {
  std::vector<uint64_t> out;
  std::vector<uint8_t> copy(data, data + size);  // libelf may write to a memory image
  Elf* elf = elf_memory(reinterpret_cast<char*>(copy.data()), copy.size());
  for (Elf_Scn* scn = elf ? elf_nextscn(elf, nullptr) : nullptr; scn && out.size() < 64; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    const bool symbols = gelf_getshdr(scn, &shdr) && (shdr.sh_type == SHT_SYMTAB || shdr.sh_type == SHT_DYNSYM);
    if (!symbols || !shdr.sh_entsize) continue;
    Elf_Data* d = elf_getdata(scn, nullptr);
    for (size_t i = 0; d && i < shdr.sh_size / shdr.sh_entsize && out.size() < 64; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(d, int(i), &sym) && GELF_ST_TYPE(sym.st_info) == STT_FUNC) out.push_back(sym.st_value);
    }
  }
  elf_end(elf);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("heapdrift-fuzz-module-" + std::to_string(getpid()) + ".so")).string();
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), size);
  elf_version(EV_CURRENT);

  Options options;
  options.system_debug_dir = false;
  options.debuginfod = false;
  Symbolizer symbolizer(options);
  constexpr uint64_t kBias = 0x7f0000000000;
  ModuleDesc module{path, kBias, {}, {{0, 1 << 24, 0, 5}}};
  ProcessImage image = symbolizer.load({module});
  for (uint64_t address : function_addresses(data, size)) {
    symbolizer.symbolize(image, kBias + address + 1, true);
    symbolizer.symbolize(image, kBias + address, false);
  }
  symbolizer.symbolize(image, kBias + 0x1000, true);
  symbolizer.warnings();
  symbolizer.module_status(image);
  return 0;
}
