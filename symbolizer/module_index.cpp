#include "module_index.h"

#include <algorithm>

namespace heapdrift::symbolizer {

ModuleIndex::ModuleIndex(const std::vector<ModuleDesc>& modules) {
  for (size_t i = 0; i < modules.size(); ++i) {
    for (const Segment& s : modules[i].segments) {
      uint64_t start = modules[i].load_bias + s.vaddr;
      uint64_t end = start + s.memsz;
      if (s.memsz == 0 || end < start) continue;
      ranges_.push_back({start, end, i, modules[i].load_bias});
    }
  }
  std::sort(ranges_.begin(), ranges_.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
  // Clip overlaps so that binary search finds at most one range.
  std::vector<Range> disjoint;
  disjoint.reserve(ranges_.size());
  for (const Range& r : ranges_) {
    while (!disjoint.empty() && disjoint.back().end > r.start) {
      if (disjoint.back().start >= r.start) {
        disjoint.pop_back();
      } else {
        disjoint.back().end = r.start;
      }
    }
    disjoint.push_back(r);
  }
  ranges_ = std::move(disjoint);
}

std::optional<ModuleIndex::Hit> ModuleIndex::find(uint64_t address) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                             [](uint64_t a, const Range& r) { return a < r.start; });
  if (it == ranges_.begin()) return std::nullopt;
  --it;
  if (address >= it->end) return std::nullopt;
  return Hit{it->module, it->load_bias};
}

}  // namespace heapdrift::symbolizer
