#include "process_history.h"

#include <map>
#include <stdexcept>
#include <unordered_map>

#include "snapshot_reader.h"

namespace heapdrift {
namespace {

struct SampleIdentity {
  uint64_t address, alloc_ns;
  bool operator==(const SampleIdentity&) const = default;
};

struct SampleIdentityHash {
  size_t operator()(const SampleIdentity& s) const { return s.address * 0x9E3779B97F4A7C15ull ^ s.alloc_ns; }
};

std::string join_arguments(const ProcessInfo& p) {
  std::string out;
  for (const std::string& a : p.arguments()) out += (out.empty() ? "" : " ") + a;
  return out.empty() ? p.exe : out;
}

// Groups stacks into sites by their chain of function names.
class SiteGrouper {
 public:
  SiteGrouper(StackSymbolizer& symbolizer, const SiteOptions& options, std::vector<SiteHistory>& sites)
      : symbolizer_(symbolizer), options_(options), sites_(sites) {}

  void clear() {
    by_stack_.clear();
    by_key_.clear();
  }

  // Stacks through JIT code are named per sample (the code at an address changes over
  // time); the others once per stack.
  size_t site_of(const Snapshot& snapshot, uint32_t stack_id, uint64_t alloc_ns) {
    auto s = snapshot.stacks.find(stack_id);
    if (s == snapshot.stacks.end()) return site_for({});
    if (symbolizer_.has_jit_frames(snapshot, s->second)) {
      return site_for(symbolizer_.frames(snapshot, s->second, alloc_ns));
    }
    auto [it, inserted] = by_stack_.try_emplace(stack_id, 0);
    if (inserted) it->second = site_for(symbolizer_.frames(snapshot, s->second, alloc_ns));
    return it->second;
  }

 private:
  size_t site_for(std::vector<FrameId> frames) {
    frames = cut_allocator_frames(frames);
    if (options_.depth && frames.size() > options_.depth) frames.resize(options_.depth);
    auto [site, added] = by_key_.try_emplace(site_key(frames, symbolizer_.table()), sites_.size());
    if (added) sites_.push_back({frames, {}});
    else prefer_compiled(sites_[site->second].frames, frames);
    return site->second;
  }

  // A Java method is one site whether it ran interpreted or, later, JIT-compiled (the
  // key has no kind); the site shows the compiled frame, which has a line and is
  // what runs once the program is warm.
  void prefer_compiled(std::vector<FrameId>& shown, const std::vector<FrameId>& other) {
    const FrameTable& t = symbolizer_.table();
    for (size_t i = 0; i < shown.size() && i < other.size(); ++i) {
      if (t[shown[i]].kind == FrameKind::kJavaInterpreted && t[other[i]].kind != FrameKind::kJavaInterpreted) {
        shown[i] = other[i];
      }
    }
  }

  std::vector<FrameId> cut_allocator_frames(const std::vector<FrameId>& frames) {
    size_t cut = 0;
    while (cut + 1 < frames.size() && is_allocator(frames[cut])) ++cut;
    return {frames.begin() + long(cut), frames.end()};
  }

  bool is_allocator(FrameId id) {
    if (!options_.allocator_frames) return false;
    auto [it, inserted] = allocator_.try_emplace(id.value, false);
    if (inserted) it->second = options_.allocator_frames->matches(symbolizer_.table()[id].function);
    return it->second;
  }

  StackSymbolizer& symbolizer_;
  const SiteOptions& options_;
  std::vector<SiteHistory>& sites_;
  std::unordered_map<uint32_t, size_t> by_stack_;
  std::unordered_map<std::string, size_t> by_key_;
  std::unordered_map<uint32_t, bool> allocator_;
};

}  // namespace

LiveTotals live_at(const SiteHistory& site, uint32_t k) {
  LiveTotals t;
  for (const TrackedSample& s : site.samples) {
    if (s.first <= k && k <= s.last) t.bytes += s.bytes, t.variance += s.sampling_variance(), t.samples += 1;
  }
  return t;
}

std::string site_key(const std::vector<FrameId>& frames, const FrameTable& table) {
  std::string key;
  for (FrameId f : frames) key += table[f].function + '\x1f' + table[f].module + '\n';
  return key;
}

ProcessHistory load_history(const std::vector<std::filesystem::path>& files, StackSymbolizer& symbolizer,
                            const SiteOptions& options) {
  ProcessHistory h;
  SiteGrouper grouper(symbolizer, options, h.sites);
  // Where each sample seen so far lives: (site, index in its samples).
  std::unordered_map<SampleIdentity, std::pair<size_t, size_t>, SampleIdentityHash> seen;
  for (const std::filesystem::path& file : files) {
    Snapshot s = read_snapshot(file);
    if (!h.snapshots.empty() && s.process.pid == h.pid && s.process.start_mono_ns > h.timeline.start_ns) {
      // The process exec'd another program: what came before is another heap.
      size_t skipped = h.skipped_before_exec + h.snapshots.size();
      h = ProcessHistory{};
      h.skipped_before_exec = skipped;
      grouper.clear();
      seen.clear();
    }
    uint32_t k = static_cast<uint32_t>(h.snapshots.size());
    if (k == 0) {
      h.pid = s.process.pid;
      h.command = join_arguments(s.process);
      h.sample_rate = s.process.sample_rate;
      h.timeline.start_ns = s.process.start_mono_ns;
    } else if (s.process.pid != h.pid || s.process.start_mono_ns != h.timeline.start_ns) {
      throw std::runtime_error(file.string() + ": not a snapshot of the same process as " +
                               h.snapshots.front().path.string());
    } else if (s.process.mono_ns <= h.timeline.snapshot_ns.back()) {
      throw std::runtime_error(file.string() + ": taken before " + h.snapshots.back().path.string());
    }
    if (k == 0) symbolizer.use_jit_log(s, file.parent_path() / "jit.log");
    h.timeline.snapshot_ns.push_back(s.process.mono_ns);
    for (const Sample& sample : s.samples) {
      auto [it, inserted] = seen.try_emplace(SampleIdentity{sample.address, sample.alloc_mono_ns});
      if (inserted) {
        size_t site = grouper.site_of(s, sample.stack_id, sample.alloc_mono_ns);
        auto& samples = h.sites[site].samples;
        it->second = {site, samples.size()};
        samples.push_back({sample.alloc_mono_ns, double(sample.size) * sample.weight, sample.weight, k, k});
      } else {
        h.sites[it->second.first].samples[it->second.second].last = k;
      }
    }
    h.snapshots.push_back({file, s.process, std::move(s.counters), std::move(s.memory)});
  }
  return h;
}

}  // namespace heapdrift
