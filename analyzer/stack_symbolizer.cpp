#include "stack_symbolizer.h"

#include <filesystem>

namespace heapdrift {
namespace {

std::string fingerprint(const std::vector<Module>& modules) {
  std::string key;
  for (const Module& m : modules) {
    key += m.path;
    key += '@' + std::to_string(m.load_bias) + '#';
    key.append(m.build_id.begin(), m.build_id.end());
    key += '\n';
  }
  return key;
}

FrameKind kind_of(const symbolizer::SymbolFrame& f) {
  if (f.source == symbolizer::FrameSource::kNone) return FrameKind::kUnknown;
  if (std::filesystem::path(f.module).filename() == "libjvm.so") return FrameKind::kJvm;
  return FrameKind::kNative;
}

}  // namespace

StackSymbolizer::StackSymbolizer(symbolizer::Options options, FrameTable& frames)
    : symbolizer_(std::move(options)), table_(frames) {}

const symbolizer::ProcessImage& StackSymbolizer::image(const Snapshot& snapshot) {
  std::string key = fingerprint(snapshot.modules);
  auto it = images_.find(key);
  if (it != images_.end()) return it->second;
  std::vector<symbolizer::ModuleDesc> modules;
  for (const Module& m : snapshot.modules) {
    symbolizer::ModuleDesc d{m.path, m.load_bias, m.build_id, {}};
    for (const Segment& s : m.segments) d.segments.push_back({s.vaddr, s.memsz, s.offset, s.flags});
    modules.push_back(std::move(d));
  }
  return images_.emplace(std::move(key), symbolizer_.load(modules)).first->second;
}

const std::vector<FrameId>& StackSymbolizer::frames(const Snapshot& snapshot, const Stack& stack) {
  auto [it, inserted] = stacks_.try_emplace({snapshot.process.pid, snapshot.process.start_mono_ns, stack.id});
  if (!inserted) return it->second;
  const symbolizer::ProcessImage& img = image(snapshot);
  for (uint64_t address : stack.frames) {
    for (const symbolizer::SymbolFrame& s : symbolizer_.symbolize(img, address, true)) {
      Frame f;
      f.function = symbolizer::display_name(s);
      f.signature = s.signature.empty() ? f.function : s.signature;
      f.file = s.file;
      f.line = s.line;
      f.module = s.module;
      f.kind = kind_of(s);
      f.inlined = s.inlined;
      it->second.push_back(table_.intern(f));
    }
  }
  return it->second;
}

}  // namespace heapdrift
