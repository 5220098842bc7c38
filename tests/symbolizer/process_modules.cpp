#include "process_modules.h"

#include "module_map.h"  // preload/: what the shim records

#include <cstring>

namespace heapdrift::symbolizer::test {

std::vector<ModuleDesc> current_modules() {
  // The module map exactly as the shim writes it into snapshots.
  std::vector<ModuleDesc> modules;
  for (const heapdrift::Module& m : heapdrift::loaded_modules()) {
    ModuleDesc d{m.path, m.load_bias, m.build_id, {}};
    for (const heapdrift::ModuleSegment& s : m.segments) d.segments.push_back({s.vaddr, s.memsz, s.offset, s.flags});
    modules.push_back(std::move(d));
  }
  return modules;
}

int module_containing(const std::vector<ModuleDesc>& modules, const void* address) {
  auto a = reinterpret_cast<uint64_t>(address);
  for (size_t i = 0; i < modules.size(); ++i) {
    for (const Segment& s : modules[i].segments) {
      uint64_t start = modules[i].load_bias + s.vaddr;
      if (a >= start && a < start + s.memsz) return static_cast<int>(i);
    }
  }
  return -1;
}

int module_named(const std::vector<ModuleDesc>& modules, const std::string& path) {
  for (size_t i = 0; i < modules.size(); ++i) {
    if (modules[i].path == path) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace heapdrift::symbolizer::test
