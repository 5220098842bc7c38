#include "frame.h"

#include <filesystem>

namespace heapdrift {
namespace {

std::string base_name(const std::string& path) {
  return path.empty() ? path : std::filesystem::path(path).filename().string();
}

}  // namespace

std::string source_location(const Frame& f) {
  if (f.file.empty()) return "";
  return base_name(f.file) + (f.line ? ":" + std::to_string(f.line) : "");
}

std::string module_name(const Frame& f) { return base_name(f.module); }

std::string site_name(const std::vector<FrameId>& frames, const FrameTable& table) {
  if (frames.empty()) return "(no stack)";
  const Frame& f = table[frames.front()];
  std::string where = source_location(f);
  std::string name = where.empty() ? f.function : f.function + "  " + where;
  // Native code called from Java: the Java method is what the user knows the site by.
  auto is_java = [](const Frame& frame) {
    return frame.kind == FrameKind::kJava || frame.kind == FrameKind::kJavaInlined ||
           frame.kind == FrameKind::kJavaInterpreted;
  };
  if (is_java(f)) return name;
  // The innermost Java method outside the JDK's own packages, else the innermost one.
  auto in_jdk = [](const std::string& function) {
    for (const char* prefix : {"java.", "javax.", "jdk.", "sun.", "com.sun."}) {
      if (function.rfind(prefix, 0) == 0) return true;
    }
    return false;
  };
  const Frame* java = nullptr;
  for (FrameId id : frames) {
    const Frame& frame = table[id];
    if (!is_java(frame)) continue;
    if (!java) java = &frame;
    if (!in_jdk(frame.function)) {
      java = &frame;
      break;
    }
  }
  return java ? name + "  <- " + java->function : name;
}

FrameId FrameTable::intern(const Frame& f) {
  std::string key = f.function + '\x1f' + f.signature + '\x1f' + f.file + '\x1f' + std::to_string(f.line) +
                    '\x1f' + f.module + '\x1f' + char('0' + int(f.kind)) + char('0' + f.inlined);
  auto [it, inserted] = ids_.try_emplace(std::move(key), FrameId{uint32_t(frames_.size())});
  if (inserted) frames_.push_back(f);
  return it->second;
}

}  // namespace heapdrift
