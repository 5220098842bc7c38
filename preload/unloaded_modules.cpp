#include "unloaded_modules.h"

#include <algorithm>

#include "mutex_lock.h"

namespace heapdrift {
namespace {

// The addresses a module's segments span.
struct Span {
  uint64_t lo = UINT64_MAX, hi = 0;
};

Span span_of(const Module& m) {
  Span s;
  for (const ModuleSegment& seg : m.segments) {
    s.lo = std::min(s.lo, m.load_bias + seg.vaddr);
    s.hi = std::max(s.hi, m.load_bias + seg.vaddr + seg.memsz);
  }
  return s;
}

bool same_module(const Module& a, const Module& b) {
  return a.load_bias == b.load_bias && a.path == b.path && a.build_id == b.build_id;
}

}  // namespace

bool UnloadedModules::record(const std::vector<Module>& before, const std::vector<Module>& after, uint64_t mono_ns) {
  bool any = false;
  for (const Module& m : before) {
    if (std::any_of(after.begin(), after.end(), [&](const Module& a) { return same_module(a, m); })) continue;
    add(m, mono_ns);
    any = true;
  }
  return any;
}

void UnloadedModules::add(const Module& m, uint64_t mono_ns) {
  MutexLock lock(mutex_);
  // The latest module that left from these addresses: when it is this one, it left
  // again, and no other code was there in between.
  const Span span = span_of(m);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    const Span other = span_of(it->module);
    if (other.lo >= span.hi || span.lo >= other.hi) continue;
    if (same_module(it->module, m)) {
      it->unloaded_mono_ns = std::max(it->unloaded_mono_ns, mono_ns);
      return;
    }
    break;
  }
  if (entries_.size() >= kMax) {
    ++dropped_;
    return;
  }
  entries_.push_back({m, mono_ns});
}

std::vector<UnloadedModule> UnloadedModules::copy() {
  MutexLock lock(mutex_);
  return entries_;
}

uint64_t UnloadedModules::dropped() {
  MutexLock lock(mutex_);
  return dropped_;
}

}  // namespace heapdrift
