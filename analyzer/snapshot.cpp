#include "snapshot.h"

namespace heapdrift {

std::vector<std::string> ProcessInfo::arguments() const {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < cmdline.size()) {
    size_t nul = cmdline.find('\0', start);
    if (nul == std::string::npos) nul = cmdline.size();
    out.emplace_back(cmdline, start, nul - start);
    start = nul + 1;
  }
  return out;
}

}  // namespace heapdrift
