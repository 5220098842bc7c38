// The symbolizer's own description of one loaded ELF object: what a snapshot's
// `modules` section records (docs/FORMAT.md). The analyzer converts its model into
// these; nothing here depends on the rest of heapdrift.
#ifndef HEAPDRIFT_SYMBOLIZER_MODULE_DESC_H
#define HEAPDRIFT_SYMBOLIZER_MODULE_DESC_H

#include <cstdint>
#include <string>
#include <vector>

namespace heapdrift::symbolizer {

// One PT_LOAD program header, in the ELF file's own addresses.
struct Segment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t offset = 0;
  uint32_t flags = 0;  // ELF PF_X = 1, PF_W = 2, PF_R = 4

  bool operator==(const Segment&) const = default;
};

struct ModuleDesc {
  std::string path;               // as the process saw it (dl_iterate_phdr, /proc/self/exe)
  uint64_t load_bias = 0;         // runtime address = load_bias + ELF vaddr
  std::vector<uint8_t> build_id;  // GNU build-id; empty when the object had none
  std::vector<Segment> segments;  // its PT_LOAD segments

  bool operator==(const ModuleDesc&) const = default;
};

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_MODULE_DESC_H
