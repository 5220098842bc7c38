#include "frame.h"

namespace heapdrift {

FrameId FrameTable::intern(const Frame& f) {
  std::string key = f.function + '\x1f' + f.signature + '\x1f' + f.file + '\x1f' + std::to_string(f.line) +
                    '\x1f' + f.module + '\x1f' + char('0' + int(f.kind)) + char('0' + f.inlined);
  auto [it, inserted] = ids_.try_emplace(std::move(key), FrameId{uint32_t(frames_.size())});
  if (inserted) frames_.push_back(f);
  return it->second;
}

}  // namespace heapdrift
