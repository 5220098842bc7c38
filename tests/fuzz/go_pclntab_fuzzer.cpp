// Go's pc table reader (symbolizer/go_pclntab.h) on a table of any bytes, in a minimal
// ELF file (tests/symbolizer/go_table_elf.h): as a .gopclntab section, or inside
// .data.rel.ro when the input's first byte is odd. The look-ups walk the text that the
// table's header claims, in steps the input chooses (its first 8 bytes).
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include "go_pclntab.h"
#include "go_table_elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t steer = 0;  // the first 8 bytes: which layout, and the look-ups' step
  std::memcpy(&steer, data, std::min(size, sizeof steer));
  const std::span<const uint8_t> table(data + std::min(size, sizeof steer), size - std::min(size, sizeof steer));
  std::vector<uint8_t> file = heapdrift::test::elf_with_go_table(table, steer & 1);

  elf_version(EV_CURRENT);
  Elf* elf = elf_memory(reinterpret_cast<char*>(file.data()), file.size());
  {
    heapdrift::symbolizer::GoPclntab go(elf);
    uint64_t text_start = 0;  // as the header says, when it is there (pcHeader.textStart)
    if (table.size() >= 32) std::memcpy(&text_start, table.data() + 24, sizeof text_start);
    const uint64_t step = ((steer >> 8) & 0xffff) + 1;
    for (uint64_t i = 0; i < 256; ++i) go.find(text_start + i * step);
  }
  elf_end(elf);
  return 0;
}
