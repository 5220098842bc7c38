#include "folded_export.h"

#include <cmath>
#include <map>

namespace heapdrift {

std::string folded_frame_name(const Frame& frame) {
  std::string name = frame.function.empty() ? "[unknown]" : frame.function;
  for (char& c : name) {
    if (c == ';') c = ':';
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (frame.inlined) name += "_[i]";
  else if (frame.kind == FrameKind::kJava || frame.kind == FrameKind::kJavaInterpreted) name += "_[j]";
  return name;
}

std::string folded_stacks(const ExportProfile& profile, const FrameTable& table) {
  std::map<std::string, double> lines;
  for (const ExportStack& s : profile.stacks) {
    std::vector<FrameId> frames;
    for (const ExportLocation& l : s.locations) frames.insert(frames.end(), l.frames.begin(), l.frames.end());
    std::string line;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      line += (line.empty() ? "" : ";") + folded_frame_name(table[*it]);
    }
    if (line.empty()) line = "[no stack]";
    lines[line] += s.bytes;
  }
  std::string out;
  for (const auto& [stack, bytes] : lines) {
    long long value = std::llround(bytes);
    if (value > 0) out += stack + ' ' + std::to_string(value) + '\n';
  }
  return out;
}

}  // namespace heapdrift
