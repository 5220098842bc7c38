#include "symbol_frame.h"

#include <cinttypes>
#include <cstdio>

namespace heapdrift::symbolizer {

const char* to_string(FrameSource source) {
  switch (source) {
    case FrameSource::kDwarf: return "dwarf";
    case FrameSource::kSymtab: return "symtab";
    case FrameSource::kGoPclntab: return "gopclntab";
    case FrameSource::kNone: return "none";
  }
  return "none";
}

std::string display_name(const SymbolFrame& frame) {
  if (!frame.function.empty()) return frame.function;
  char offset[32];
  std::snprintf(offset, sizeof(offset), "0x%" PRIx64, frame.module_offset);
  if (frame.module.empty()) return offset;
  size_t slash = frame.module.rfind('/');
  std::string base = slash == std::string::npos ? frame.module : frame.module.substr(slash + 1);
  return base + "+" + offset;
}

}  // namespace heapdrift::symbolizer
