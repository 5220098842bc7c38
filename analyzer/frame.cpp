#include "frame.h"

#include <filesystem>
#include <utility>

#include "script_names.h"

namespace heapdrift {
namespace {

std::string base_name(const std::string& path) {
  return path.empty() ? path : std::filesystem::path(path).filename().string();
}

// Java, at any tier, or a script function named through a perf map.
bool is_managed(const Frame& frame) {
  return frame.kind == FrameKind::kJava || frame.kind == FrameKind::kJavaInlined ||
         frame.kind == FrameKind::kJavaInterpreted || frame.kind == FrameKind::kJit;
}

// Go code that called C through cgo: the frames after the Go runtime's trampoline
// (runtime.asmcgocall, whose symbol some Go releases suffix with .abi0) are Go's. The
// caller is the innermost one outside the runtime and what cgo generates
// (pkg._Cfunc_name, pkg._cgo_name), else the innermost.
size_t go_caller(const std::vector<FrameId>& frames, const FrameTable& table) {
  size_t i = 0;
  while (i < frames.size() && !table[frames[i]].function.starts_with("runtime.asmcgocall")) ++i;
  if (i == frames.size()) return kNoFrame;
  size_t found = kNoFrame;
  for (++i; i < frames.size(); ++i) {
    if (table[frames[i]].kind == FrameKind::kUnknown) break;
    const std::string& function = table[frames[i]].function;
    if (found == kNoFrame) found = i;
    if (!function.starts_with("runtime.") && function.find("._Cfunc_") == std::string::npos &&
        function.find("._cgo_") == std::string::npos) {
      return i;
    }
  }
  return found;
}

}  // namespace

std::string source_location(const Frame& f) {
  if (f.file.empty()) return "";
  return base_name(f.file) + (f.line ? ":" + std::to_string(f.line) : "");
}

std::string module_name(const Frame& f) { return base_name(f.module); }

size_t caller_frame(const std::vector<FrameId>& frames, const FrameTable& table) {
  if (size_t go = go_caller(frames, table); go != kNoFrame) return go;
  auto in_runtime = [](const Frame& frame) {
    if (frame.kind == FrameKind::kJit) return perfmap::in_runtime_library(frame.file);
    for (const char* prefix : {"java.", "javax.", "jdk.", "sun.", "com.sun."}) {
      if (frame.function.rfind(prefix, 0) == 0) return true;
    }
    return false;
  };
  size_t found = kNoFrame;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Frame& frame = table[frames[i]];
    if (!is_managed(frame)) continue;
    if (found == kNoFrame) found = i;
    if (!in_runtime(frame)) return i;
  }
  return found;
}

std::string site_name(const std::vector<FrameId>& frames, const FrameTable& table) {
  if (frames.empty()) return "(no stack)";
  const Frame& f = table[frames.front()];
  std::string where = source_location(f);
  std::string name = where.empty() ? f.function : f.function + "  " + where;
  // Native code called from Java (or JavaScript, …): the Java method is what the user
  // knows the site by.
  if (is_managed(f)) return name;
  // A first frame without a name (its module has no symbols for it) says little: the
  // first named frame outward says where it is, unless that is where every thread
  // starts (a stripped program's own code is unnamed down to libc's entry).
  if (f.kind == FrameKind::kUnknown) {
    auto is_entry = [](const std::string& function) {
      for (const char* entry : {"__libc_start_call_main", "__libc_start_main_impl", "__libc_start_main", "_start",
                                "start_thread", "__clone3", "__clone", "clone3", "clone"}) {
        if (function == entry) return true;
      }
      return false;
    };
    for (FrameId id : frames) {
      const Frame& named = table[id];
      if (named.kind == FrameKind::kUnknown) continue;
      // Go's runtime (its cgo trampoline, in a Go program without symbols for its C
      // code) says no more: the Go caller below does.
      if (!is_managed(named) && !is_entry(named.function) && !named.function.starts_with("runtime.")) {
        name += "  <- " + named.function;
      }
      break;
    }
  }
  size_t caller = caller_frame(frames, table);
  if (caller != kNoFrame) return name + "  <- " + table[frames[caller]].function;
  // No Java caller, but native code that called the JVM through JNI (from a thread it
  // attached): that code is what the user knows.
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    const Frame& jni = table[frames[i]];
    if (jni.kind != FrameKind::kJvm || !jni.function.starts_with("jni_")) continue;
    const Frame& jni_caller = table[frames[i + 1]];
    return jni_caller.kind == FrameKind::kUnknown ? name : name + "  <- " + jni_caller.function;
  }
  return name;
}

FrameId FrameTable::intern(const Frame& f) {
  std::hash<std::string> h;
  uint64_t hash = h(f.function);
  for (size_t part : {h(f.signature), h(f.file), h(f.module), size_t{f.line} << 9 | size_t(f.kind) << 1 | f.inlined}) {
    hash = (hash ^ part) * 0x9e3779b97f4a7c15ULL;
  }
  if (2 * (frames_.size() + 1) > slots_.size()) grow();
  // The multiply leaves its best-mixed bits at the top.
  for (size_t i = hash >> (64 - bits_), mask = slots_.size() - 1;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.id_plus_one == 0) {
      FrameId id{uint32_t(frames_.size())};
      frames_.push_back(f);
      slot = {hash, id.value + 1};
      return id;
    }
    if (slot.hash == hash && frames_[slot.id_plus_one - 1] == f) return FrameId{slot.id_plus_one - 1};
  }
}

void FrameTable::grow() {
  bits_ = bits_ ? bits_ + 1 : 10;
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(size_t{1} << bits_));
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id_plus_one == 0) continue;
    size_t i = s.hash >> (64 - bits_);
    while (slots_[i].id_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace heapdrift
