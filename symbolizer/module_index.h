// Address -> module through a process's module map: each module's PT_LOAD segments,
// placed at load_bias + vaddr, sorted for binary search.
#ifndef HEAPDRIFT_SYMBOLIZER_MODULE_INDEX_H
#define HEAPDRIFT_SYMBOLIZER_MODULE_INDEX_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "module_desc.h"

namespace heapdrift::symbolizer {

class ModuleIndex {
 public:
  struct Hit {
    size_t module;       // index into the vector the index was built from
    uint64_t load_bias;  // that module's
  };

  explicit ModuleIndex(const std::vector<ModuleDesc>& modules);

  // The module with a segment containing `address`, if any. Where segments of two
  // modules overlap (a corrupt map), the one starting later wins.
  std::optional<Hit> find(uint64_t address) const;

 private:
  struct Range {
    uint64_t start, end;
    size_t module;
    uint64_t load_bias;
  };
  std::vector<Range> ranges_;  // sorted by start, disjoint
};

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_MODULE_INDEX_H
