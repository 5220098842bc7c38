#include "export_profile.h"

#include <algorithm>
#include <unordered_map>

namespace heapdrift {
namespace {

// The symbolizer gives each address its frames innermost first, every one but the
// last flagged `inlined`: that is where one address's frames end.
std::vector<ExportLocation> locations_of(const std::vector<FrameId>& frames, const Stack& stack,
                                         const FrameTable& table) {
  std::vector<ExportLocation> out;
  ExportLocation current;
  for (FrameId id : frames) {
    current.frames.push_back(id);
    if (!table[id].inlined) out.push_back(std::move(current)), current = {};
  }
  if (!current.frames.empty()) out.push_back(std::move(current));
  if (out.size() == stack.frames.size()) {
    for (size_t i = 0; i < out.size(); ++i) out[i].address = stack.frames[i];
    return out;
  }
  // Not one group per address (should not happen): frames without addresses.
  out.clear();
  for (FrameId id : frames) out.push_back({0, {id}});
  return out;
}

// Cuts the innermost allocator frames, and beyond `depth` frames, as SiteGrouper does.
void cut(std::vector<ExportLocation>& locations, const SiteOptions& options, const FrameTable& table) {
  size_t total = 0;
  for (const ExportLocation& l : locations) total += l.frames.size();
  size_t to_cut = 0;
  if (options.allocator_frames) {
    for (const ExportLocation& l : locations) {
      for (FrameId id : l.frames) {
        if (to_cut + 1 >= total || !options.allocator_frames->matches(table[id])) goto done;
        ++to_cut;
      }
    }
  }
done:
  while (to_cut > 0) {
    ExportLocation& first = locations.front();
    size_t n = std::min(to_cut, first.frames.size());
    first.frames.erase(first.frames.begin(), first.frames.begin() + long(n));
    to_cut -= n;
    if (first.frames.empty()) locations.erase(locations.begin());
  }
  if (options.depth) {
    size_t kept = 0;
    for (size_t i = 0; i < locations.size(); ++i) {
      if (kept + locations[i].frames.size() >= options.depth) {
        locations[i].frames.resize(options.depth - kept);
        locations.resize(i + 1);
        break;
      }
      kept += locations[i].frames.size();
    }
  }
}

std::vector<uint64_t> key_of(const std::vector<ExportLocation>& locations) {
  std::vector<uint64_t> key;
  for (const ExportLocation& l : locations) {
    key.push_back(l.address);
    key.push_back(l.frames.size());
    for (FrameId id : l.frames) key.push_back(id.value);
  }
  return key;
}

struct KeyHash {
  size_t operator()(const std::vector<uint64_t>& key) const {
    size_t h = key.size();
    for (uint64_t v : key) h = (h ^ v) * 0x9E3779B97F4A7C15ull;
    return h;
  }
};

}  // namespace

void add_segment_mappings(const Module& m, std::vector<Mapping>* out) {
  for (const Segment& s : m.segments) {
    uint64_t start = (m.load_bias + s.vaddr) & ~uint64_t(0xfff);
    uint64_t end = (m.load_bias + s.vaddr + s.memsz + 0xfff) & ~uint64_t(0xfff);
    uint32_t prot = ((s.flags & 4) ? format::kProtRead : 0) | ((s.flags & 2) ? format::kProtWrite : 0) |
                    ((s.flags & 1) ? format::kProtExec : 0);
    out->push_back({start, end, s.offset & ~uint64_t(0xfff), prot, m.path});
  }
}

std::vector<Mapping> mapped_now(const ExportProfile& p) {
  std::vector<Mapping> out = p.maps;
  if (out.empty()) {
    for (const Module& m : p.modules) add_segment_mappings(m, &out);
  }
  return out;
}

std::vector<UnloadedModule> unreplaced_modules(const ExportProfile& p) {
  std::vector<Mapping> used = mapped_now(p);
  std::vector<UnloadedModule> out;
  for (const UnloadedModule& u : p.unloaded_modules) {
    std::vector<Mapping> gone;
    add_segment_mappings(u.module, &gone);
    bool taken = std::any_of(gone.begin(), gone.end(), [&](const Mapping& g) {
      return std::any_of(used.begin(), used.end(), [&](const Mapping& m) { return g.start < m.end && m.start < g.end; });
    });
    if (taken) continue;
    used.insert(used.end(), gone.begin(), gone.end());
    out.push_back(u);
  }
  return out;
}

ExportProfile build_export_profile(const Snapshot& snapshot, StackSymbolizer& symbolizer,
                                   const SiteOptions& options) {
  ExportProfile p;
  p.process = snapshot.process;
  p.modules = snapshot.modules;
  p.unloaded_modules = snapshot.unloaded_modules;
  p.maps = snapshot.maps;
  const FrameTable& table = symbolizer.table();
  std::unordered_map<std::vector<uint64_t>, size_t, KeyHash> by_key;
  // Stacks whose names do not depend on time are named once; the others (JIT code, an
  // unloaded module's addresses) per sample, at its time.
  std::unordered_map<uint32_t, size_t> by_stack;
  for (const Sample& sample : snapshot.samples) {
    auto stack = snapshot.stacks.find(sample.stack_id);
    size_t index = 0;
    auto known = by_stack.find(sample.stack_id);
    if (known != by_stack.end()) {
      index = known->second;
    } else {
      std::vector<ExportLocation> locations;
      bool per_sample = false;
      if (stack != snapshot.stacks.end()) {
        per_sample = symbolizer.depends_on_time(snapshot, stack->second);
        locations = locations_of(symbolizer.frames(snapshot, stack->second, sample.alloc_mono_ns), stack->second, table);
        cut(locations, options, table);
      }
      auto [it, added] = by_key.try_emplace(key_of(locations), p.stacks.size());
      if (added) p.stacks.push_back({std::move(locations), 0, 0, {}});
      index = it->second;
      if (!per_sample) by_stack.emplace(sample.stack_id, index);
    }
    ExportStack& s = p.stacks[index];
    s.bytes += double(sample.size) * sample.weight;
    s.objects += sample.weight;
    ++s.sampled_sizes[sample.size];
  }
  return p;
}

}  // namespace heapdrift
