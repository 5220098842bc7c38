#include "stack_symbolizer.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "perf_map_copy_reader.h"
#include "snapshot_format.h"
#include "script_names.h"

namespace heapdrift {
namespace {

constexpr uint32_t kElfExecutable = 1;  // PF_X

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

// path(module).filename() == "libjvm.so", without making a path for each frame.
bool is_libjvm(std::string_view module) {
  static constexpr std::string_view kLibjvm = "libjvm.so";
  return module.ends_with(kLibjvm) &&
         (module.size() == kLibjvm.size() || module[module.size() - kLibjvm.size() - 1] == '/');
}

FrameKind kind_of(const symbolizer::SymbolFrame& f) {
  if (f.source == symbolizer::FrameSource::kNone) return FrameKind::kUnknown;
  return is_libjvm(f.module) ? FrameKind::kJvm : FrameKind::kNative;
}

FrameKind kind_of(perfmap::JavaFrame::Kind kind) {
  switch (kind) {
    case perfmap::JavaFrame::kCompiled: return FrameKind::kJava;
    case perfmap::JavaFrame::kInlined: return FrameKind::kJavaInlined;
    case perfmap::JavaFrame::kGenerated: return FrameKind::kJvmGenerated;
    case perfmap::JavaFrame::kInterpreted: return FrameKind::kJavaInterpreted;
  }
  return FrameKind::kUnknown;
}

std::string hex(uint64_t address) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(address));
  return buf;
}

}  // namespace

StackSymbolizer::StackSymbolizer(symbolizer::Options options, FrameTable& frames)
    : symbolizer_(std::move(options)), table_(frames) {}

void StackSymbolizer::use_jit_code(const Snapshot& snapshot, const std::filesystem::path& process_dir) {
  auto [it, fresh] = jit_.try_emplace({snapshot.process.pid, snapshot.process.start_mono_ns});
  if (!fresh) return;
  JitCode& code = it->second;
  code.jvm = std::any_of(snapshot.modules.begin(), snapshot.modules.end(),
                         [](const Module& m) { return is_libjvm(m.path); });
  std::error_code ec;
  const std::filesystem::path log = process_dir / format::kJitLog;
  if (std::filesystem::exists(log, ec)) {
    try {
      code.map = perfmap::JitCodeMap::from_log(log);
      jit_warnings_.insert(jit_warnings_.end(), code.map.warnings().begin(), code.map.warnings().end());
    } catch (const perfmap::ReadError& e) {
      jit_warnings_.push_back(std::string(e.what()) + " (Java frames stay unnamed)");
    }
    return;
  }
  const std::filesystem::path copy = process_dir / format::kPerfMapCopy;
  if (!std::filesystem::exists(copy, ec)) {
    // A JVM's snapshot read away from its recording's directory (copied alone, say).
    if (code.jvm) {
      jit_warnings_.push_back(log.string() + ": not found, where the JIT recorder writes it beside a JVM's snapshots: "
                              "the JIT-compiled Java code in its stacks stays unnamed");
    }
    return;
  }
  // A batch's lines were written after the batch before it was copied: from then on
  // they describe the code at their addresses (jit_code_map.h, add_perf_map).
  const std::vector<PerfMapBatch> batches = read_perf_map_copy(copy, snapshot.process.start_mono_ns);
  std::vector<perfmap::JitCodeMap::DatedPerfMap> dated;
  uint64_t since = snapshot.process.start_mono_ns;
  for (const PerfMapBatch& batch : batches) {
    dated.push_back({&batch.map, since});
    since = batch.copied_ns;
  }
  code.map.add_perf_maps(dated, code.jvm ? perfmap::JitCodeMap::Runtime::kJvm : perfmap::JitCodeMap::Runtime::kOther);
}

const perfmap::JitCodeMap* StackSymbolizer::jit_code(const ProcessInfo& process) const {
  auto it = jit_.find({process.pid, process.start_mono_ns});
  return it == jit_.end() ? nullptr : &it->second.map;
}

std::vector<std::string> StackSymbolizer::warnings() const {
  std::vector<std::string> all = symbolizer_.warnings();
  all.insert(all.end(), jit_warnings_.begin(), jit_warnings_.end());
  return all;
}

const symbolizer::ProcessImage& StackSymbolizer::image(const Snapshot& snapshot) {
  auto this_snapshot = std::make_tuple(&snapshot, snapshot.process.pid, snapshot.process.start_mono_ns,
                                       snapshot.process.mono_ns);
  if (last_image_ && last_snapshot_ == this_snapshot) return *last_image_;
  last_snapshot_ = this_snapshot;
  return *(last_image_ = &image_of(snapshot.modules));
}

const symbolizer::ProcessImage& StackSymbolizer::image_of(const std::vector<Module>& modules) {
  std::string key = fingerprint(modules);
  auto it = images_.find(key);
  if (it != images_.end()) return it->second;
  std::vector<symbolizer::ModuleDesc> descs;
  for (const Module& m : modules) {
    symbolizer::ModuleDesc d{m.path, m.load_bias, m.build_id, {}};
    for (const Segment& s : m.segments) d.segments.push_back({s.vaddr, s.memsz, s.offset, s.flags});
    descs.push_back(std::move(d));
  }
  return images_.emplace(std::move(key), symbolizer_.load(descs)).first->second;
}

const std::vector<StackSymbolizer::Alias>& StackSymbolizer::aliases(const Snapshot& snapshot) {
  auto [it, fresh] = aliases_.try_emplace({snapshot.process.pid, snapshot.process.start_mono_ns});
  if (!fresh) return it->second;
  for (const Mapping& m : snapshot.maps) {
    if (!(m.prot & format::kProtExec) || m.path.empty()) continue;
    for (const Module& mod : snapshot.modules) {
      if (mod.path != m.path) continue;
      auto code = [](const Segment& s) { return (s.flags & kElfExecutable) != 0; };
      const bool where_loaded = std::any_of(mod.segments.begin(), mod.segments.end(), [&](const Segment& s) {
        return code(s) && mod.load_bias + s.vaddr < m.end && m.start < mod.load_bias + s.vaddr + s.memsz;
      });
      if (where_loaded) break;
      for (const Segment& s : mod.segments) {
        if (code(s) && s.offset <= m.offset && m.offset < s.offset + s.memsz) {
          it->second.push_back({m.start, m.end, mod.load_bias + s.vaddr + (m.offset - s.offset) - m.start});
        }
      }
      break;
    }
  }
  return it->second;
}

const StackSymbolizer::UnloadedCode& StackSymbolizer::unloaded_code(const Snapshot& snapshot) {
  UnloadedCode& code = unloaded_[{snapshot.process.pid, snapshot.process.start_mono_ns}];
  if (snapshot.process.mono_ns <= code.snapshot_mono_ns) return code;
  code.snapshot_mono_ns = snapshot.process.mono_ns;
  if (snapshot.unloaded_modules == code.modules) return code;
  code.modules = snapshot.unloaded_modules;
  code.spans.clear();
  for (const UnloadedModule& u : code.modules) {
    const symbolizer::ProcessImage* img = &image_of({u.module});
    for (const Segment& s : u.module.segments) {
      if (!(s.flags & kElfExecutable)) continue;
      const uint64_t lo = u.module.load_bias + s.vaddr;
      code.spans.push_back({lo, lo + s.memsz, u.unloaded_mono_ns, img});
    }
  }
  return code;
}

const symbolizer::ProcessImage* StackSymbolizer::unloaded_image(const UnloadedCode& code, uint64_t address,
                                                                uint64_t alloc_ns) {
  // Of the modules that held the call instruction and left after the allocation, the
  // first to leave: the later ones came after it.
  const UnloadedCode::Span* best = nullptr;
  for (const UnloadedCode::Span& s : code.spans) {
    if (address - 1 < s.lo || address - 1 >= s.hi || s.unloaded_ns <= alloc_ns) continue;
    if (!best || s.unloaded_ns < best->unloaded_ns) best = &s;
  }
  return best ? best->image : nullptr;
}

void StackSymbolizer::add_slots(const symbolizer::ProcessImage& img, uint64_t address, std::vector<Slot>* slots) {
  for (const symbolizer::SymbolFrame& s : symbolizer_.symbolize(img, address, true)) {
    if (s.module.empty()) {  // outside every module: JIT code, named per sample
      slots->push_back({address, 0, {}});
      continue;
    }
    Frame f;
    f.function = symbolizer::display_name(s);
    f.signature = s.signature.empty() ? f.function : s.signature;
    f.file = s.file;
    f.line = s.line;
    f.module = s.module;
    f.kind = kind_of(s);
    f.inlined = s.inlined;
    slots->push_back({0, 0, table_.intern(f)});
  }
}

StackSymbolizer::AddressSlots StackSymbolizer::slots_of(const symbolizer::ProcessImage& img, uint64_t address) {
  ImageSlots& known = slots_[&img];
  auto [at, fresh] = known.by_address.try_emplace(address);
  if (fresh) {
    at->second.begin = static_cast<uint32_t>(known.slots.size());
    add_slots(img, address, &known.slots);
    at->second.end = static_cast<uint32_t>(known.slots.size());
  }
  return at->second;
}

const StackSymbolizer::NativePart& StackSymbolizer::native_part(const Snapshot& snapshot, const Stack& stack) {
  auto [it, inserted] = stacks_.try_emplace({snapshot.process.pid, snapshot.process.start_mono_ns, stack.id});
  NativePart& part = it->second;
  if (!inserted) return part;
  const symbolizer::ProcessImage& img = image(snapshot);
  const UnloadedCode& unloaded = unloaded_code(snapshot);
  const std::vector<Alias>& copies = aliases(snapshot);
  // The addresses' slots first, so that the stack's are allocated once at their size
  // (100,000 JVM stacks hold some 2.5 million). An address where an unloaded module
  // was gets one slot, named per sample.
  constexpr AddressSlots kWhereUnloaded{UINT32_MAX, UINT32_MAX};
  ranges_.clear();
  size_t count = 0;
  for (uint64_t address : stack.frames) {
    const bool where_unloaded =
        std::any_of(unloaded.spans.begin(), unloaded.spans.end(),
                    [address](const UnloadedCode::Span& s) { return address - 1 >= s.lo && address - 1 < s.hi; });
    uint64_t named = address;
    for (const Alias& a : copies) {
      if (address - 1 >= a.lo && address - 1 < a.hi) named = address + a.delta;
    }
    ranges_.push_back(where_unloaded ? kWhereUnloaded : slots_of(img, named));
    count += where_unloaded ? 1 : ranges_.back().end - ranges_.back().begin;
  }
  const ImageSlots& known = slots_[&img];
  part.slots.reserve(count);
  for (size_t k = 0; k < ranges_.size(); ++k) {
    const uint64_t method = k < stack.methods.size() ? stack.methods[k] : 0;
    if (ranges_[k].begin == kWhereUnloaded.begin) {
      part.slots.push_back({stack.frames[k], method, {}, true});
      part.timed = true;
      continue;
    }
    for (uint32_t i = ranges_[k].begin; i < ranges_[k].end; ++i) {
      Slot slot = known.slots[i];
      if (slot.timed_address) {  // an interpreted frame's Method*, if the shim kept one
        slot.method = method;
        part.timed = true;
      }
      part.slots.push_back(slot);
    }
  }
  return part;
}

bool StackSymbolizer::depends_on_time(const Snapshot& snapshot, const Stack& stack) {
  return native_part(snapshot, stack).timed;
}

void StackSymbolizer::add_jit_frames(const JitCode* jit, uint64_t address, uint64_t method, uint64_t alloc_ns,
                                     std::vector<FrameId>* out) {
  std::vector<perfmap::JavaFrame> java;
  // An interpreted frame whose Method* the shim kept: the method, if the log names it;
  // else the interpreter's own name, as any generated code.
  if (jit && method) {
    if (std::optional<perfmap::JavaFrame> m = jit->map.interpreted(method, alloc_ns)) java.push_back(std::move(*m));
  }
  if (jit && java.empty()) java = jit->map.lookup(address, alloc_ns);
  if (java.empty()) {
    // Unnamed code: one frame for all of it, so that sites do not split by address;
    // the address stays in the signature.
    Frame f;
    f.function = "[unknown]";
    f.signature = hex(address);
    out->push_back(table_.intern(f));
    return;
  }
  for (const perfmap::JavaFrame& j : java) {
    Frame f;
    f.function = j.function;
    f.signature = j.signature.empty() ? j.function : j.function + j.signature;
    f.file = j.file;
    f.line = j.line;
    f.kind = kind_of(j.kind);
    f.inlined = j.kind == perfmap::JavaFrame::kInlined;
    // Outside a JVM, what a perf map names is another runtime's code (generated, to
    // the map's reader): script functions (V8's, CPython's) get their script and line.
    if (!jit->jvm && j.kind == perfmap::JavaFrame::kGenerated) {
      f.kind = FrameKind::kJit;
      if (std::optional<perfmap::ScriptFunction> script = perfmap::parse_script_name(j.function)) {
        f.function = std::move(script->function);
        f.signature = j.function;
        f.file = std::move(script->script);
        f.line = script->line;
      }
    }
    out->push_back(table_.intern(f));
  }
}

std::vector<FrameId> StackSymbolizer::frames(const Snapshot& snapshot, const Stack& stack, uint64_t alloc_ns) {
  const NativePart& part = native_part(snapshot, stack);
  std::vector<FrameId> out;
  out.reserve(part.slots.size());
  const JitCode* jit = nullptr;
  if (part.timed) {
    auto it = jit_.find({snapshot.process.pid, snapshot.process.start_mono_ns});
    if (it != jit_.end()) jit = &it->second;
  }
  for (const Slot& slot : part.slots) {
    if (!slot.timed_address) {
      out.push_back(slot.frame);
    } else if (!slot.unloaded) {
      add_jit_frames(jit, slot.timed_address, slot.method, alloc_ns, &out);
    } else {
      // The unloaded module that held the address then, else what holds it now.
      const symbolizer::ProcessImage* img = unloaded_image(unloaded_code(snapshot), slot.timed_address, alloc_ns);
      if (!img) img = &image(snapshot);
      const AddressSlots r = slots_of(*img, slot.timed_address);
      const std::vector<Slot>& named = slots_[img].slots;
      for (uint32_t i = r.begin; i < r.end; ++i) {
        if (named[i].timed_address) add_jit_frames(jit, named[i].timed_address, slot.method, alloc_ns, &out);
        else out.push_back(named[i].frame);
      }
    }
  }
  return out;
}

}  // namespace heapdrift
