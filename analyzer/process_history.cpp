#include "process_history.h"

#include <algorithm>
#include <bit>
#include <future>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "memory_breakdown.h"
#include "snapshot_reader.h"

namespace heapdrift {
namespace {

// A block live in the previous snapshot, and where its history is. A block is known
// by its address and allocation time: a new block at a freed one's address has
// another allocation time. Blocks are ordered by the low 32 bits of their address
// first, any order serving the merge: a radix sort then needs at most three passes,
// even when a few blocks lie far from the others (mapped, not in the heap).
struct LiveBlock {
  uint64_t address, alloc_ns;
  uint32_t site, index;  // h.sites[site].samples[index]
  uint32_t low() const { return static_cast<uint32_t>(address); }
  bool operator<(const LiveBlock& o) const {
    if (low() != o.low()) return low() < o.low();
    return address != o.address ? address < o.address : alloc_ns < o.alloc_ns;
  }
};

// A snapshot's blocks come in the live table's order, which is random; std::sort of
// 100,000 of them per snapshot was a fifth of the decoding thread's time. `scratch` is
// kept between calls: a fresh one is page faults.
void sort_blocks(std::vector<LiveBlock>& blocks, std::vector<LiveBlock>& scratch) {
  if (blocks.size() < 2) return;
  uint32_t least = UINT32_MAX, most = 0;
  for (const LiveBlock& b : blocks) least = std::min(least, b.low()), most = std::max(most, b.low());
  const int bits = std::bit_width(most - least);
  const int passes = (bits + 10) / 11;
  const int width = passes ? (bits + passes - 1) / passes : 0;
  const uint32_t mask = (uint32_t{1} << width) - 1;
  scratch.resize(blocks.size());
  std::vector<uint32_t> start(size_t{1} << width);
  for (int shift = 0; shift < bits; shift += width) {
    std::fill(start.begin(), start.end(), 0);
    for (const LiveBlock& b : blocks) ++start[((b.low() - least) >> shift) & mask];
    uint32_t sum = 0;
    for (uint32_t& n : start) sum += std::exchange(n, sum);
    for (const LiveBlock& b : blocks) scratch[start[((b.low() - least) >> shift) & mask]++] = b;
    blocks.swap(scratch);
  }
  // Blocks whose addresses agree in their low 32 bits: a block listed twice, an address
  // reused between two allocation times, or blocks 4 GiB apart.
  for (auto run = blocks.begin(); run != blocks.end();) {
    auto end = std::find_if(run, blocks.end(), [&](const LiveBlock& b) { return b.low() != run->low(); });
    if (end - run > 1) std::sort(run, end);
    run = end;
  }
}

// A program that writes its title over its arguments (postgres, nginx, sshd) pads it
// with spaces and NULs to the end of that memory: trailing empty arguments, which
// would join as spaces. Both are cut.
std::string join_arguments(const ProcessInfo& p) {
  std::string out;
  for (const std::string& a : p.arguments()) out += (out.empty() ? "" : " ") + a;
  out.erase(out.find_last_not_of(' ') + 1);
  return out.empty() ? p.exe : out;
}

// A site's identity as small numbers: one per distinct (function, module) pair.
struct ChainHash {
  size_t operator()(const std::vector<uint32_t>& chain) const {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ chain.size();
    for (uint32_t f : chain) h = (h ^ f) * 0xff51afd7ed558ccdull, h ^= h >> 32;
    return h;
  }
};

// Groups stacks into sites by their chain of function names. The chain is kept as
// interned ids: with 100,000 sites of 25 frames, chains of names would take ~1.5 KiB
// each.
class SiteGrouper {
 public:
  SiteGrouper(StackSymbolizer& symbolizer, const SiteOptions& options, std::vector<SiteHistory>& sites)
      : symbolizer_(symbolizer), options_(options), sites_(sites) {}

  // Whether the stack is named already (and needs no decoding again). The reader asks
  // for every stack of every snapshot: 10 million times over 100 snapshots of 100,000.
  bool knows(uint32_t stack_id) const { return known_site(stack_id) != kUnset; }

  void clear() {
    by_dense_stack_.clear();
    by_stack_.clear();
    by_chain_.clear();
  }

  // Stacks through JIT code, or through addresses where an unloaded module was, are
  // named per sample (the code at an address changes over time); the others once per
  // stack.
  size_t site_of(const Snapshot& snapshot, uint32_t stack_id, uint64_t alloc_ns) {
    if (size_t known = known_site(stack_id); known != kUnset) return known;
    auto s = snapshot.stacks.find(stack_id);
    if (s == snapshot.stacks.end()) return site_for({});
    if (symbolizer_.depends_on_time(snapshot, s->second)) {
      return site_for(symbolizer_.frames(snapshot, s->second, alloc_ns));
    }
    size_t site = site_for(symbolizer_.frames(snapshot, s->second, alloc_ns));
    // The shim numbers stacks 1, 2, ... (at most 4 million): an array by id, with a
    // map for ids beyond that (which only a foreign or damaged file would hold).
    if (stack_id < kDenseStackIds && site < kUnset) {
      if (stack_id >= by_dense_stack_.size()) by_dense_stack_.resize(size_t{stack_id} + 1, kUnset);
      by_dense_stack_[stack_id] = static_cast<uint32_t>(site);
    } else {
      by_stack_[stack_id] = site;
    }
    return site;
  }

 private:
  size_t site_for(std::vector<FrameId> frames) {
    frames = cut_allocator_frames(frames);
    if (options_.depth && frames.size() > options_.depth) frames.resize(options_.depth);
    chain_.clear();
    for (FrameId f : frames) chain_.push_back(function_of(f));
    auto [site, added] = by_chain_.try_emplace(chain_, sites_.size());
    if (added) sites_.push_back({std::move(frames), {}});
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

  // The innermost allocator frames, and the unnamed frames an allocator function called
  // in its own module: its internals, in a program without symbols for them (Debian's
  // postgres: its static AllocSetAlloc under palloc). Not under a C++ function (std::…),
  // whose code lives in every module that uses it and calls theirs. The outermost
  // frame is kept.
  std::vector<FrameId> cut_allocator_frames(const std::vector<FrameId>& frames) {
    const FrameTable& table = symbolizer_.table();
    size_t cut = 0;
    for (size_t i = 0; i + 1 < frames.size(); ++i) {
      const Frame& f = table[frames[i]];
      if (is_allocator(frames[i])) {
        auto internal = [&](FrameId id) { return !f.module.empty() && table[id].module == f.module; };
        if (i > cut && (f.function.find("::") != std::string::npos ||
                        !std::all_of(frames.begin() + long(cut), frames.begin() + long(i), internal))) {
          break;
        }
        cut = i + 1;
      } else if (f.kind != FrameKind::kUnknown) {
        break;
      }
    }
    return {frames.begin() + long(cut), frames.end()};
  }

  bool is_allocator(FrameId id) {
    if (!options_.allocator_frames) return false;
    auto [it, inserted] = allocator_.try_emplace(id.value, false);
    if (inserted) it->second = options_.allocator_frames->matches(symbolizer_.table()[id]);
    return it->second;
  }

  // The id of the frame's (function, module) pair: what site_key() spells out.
  uint32_t function_of(FrameId id) {
    if (id.value >= function_of_frame_.size()) function_of_frame_.resize(id.value + 1, kUnset);
    uint32_t& f = function_of_frame_[id.value];
    if (f == kUnset) {
      const Frame& frame = symbolizer_.table()[id];
      f = function_ids_.try_emplace(frame.function + '\x1f' + frame.module, uint32_t(function_ids_.size()))
              .first->second;
    }
    return f;
  }

  // The site of a stack named once for all, or kUnset.
  size_t known_site(uint32_t stack_id) const {
    if (stack_id < by_dense_stack_.size()) return by_dense_stack_[stack_id];
    auto it = by_stack_.find(stack_id);
    return it != by_stack_.end() ? it->second : kUnset;
  }

  static constexpr uint32_t kUnset = UINT32_MAX;
  static constexpr uint32_t kDenseStackIds = 1u << 22;
  StackSymbolizer& symbolizer_;
  const SiteOptions& options_;
  std::vector<SiteHistory>& sites_;
  std::vector<uint32_t> by_dense_stack_;  // site by stack id, kUnset if none yet
  std::unordered_map<uint32_t, size_t> by_stack_;
  std::unordered_map<std::vector<uint32_t>, size_t, ChainHash> by_chain_;
  std::unordered_map<uint32_t, bool> allocator_;
  std::unordered_map<std::string, uint32_t> function_ids_;
  std::vector<uint32_t> function_of_frame_;  // by FrameId
  std::vector<uint32_t> chain_;               // scratch
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
  // The blocks of the previous snapshot, sorted, matched against this one's by a merge:
  // a block absent from a snapshot was freed, so only one snapshot's worth is kept,
  // and sorting two arrays is cheaper than hashing into a map of that size.
  std::vector<LiveBlock> before, now, scratch;
  // Blocks first seen in this snapshot: their index in the file, then in `now`.
  std::vector<uint64_t> fresh;
  // Stacks this process image has shown already are skipped by the reader.
  auto wanted = [&](const ProcessInfo& p, uint32_t stack_id) {
    return h.snapshots.empty() || p.pid != h.pid || p.start_mono_ns != h.timeline.start_ns ||
           !grouper.knows(stack_id);
  };
  // The next file is read (and inflated) on another thread while this one is decoded,
  // into the memory of the files before: the one read last, and the one decoded before
  // this one. So are its samples decoded into the memory of the snapshot's before.
  std::future<LoadedSnapshot> next;
  OwnedBytes read_buffer, spare;
  std::vector<Sample> spare_samples;
  auto load_ahead = [&](size_t i) {
    if (i < files.size()) {
      next = std::async(std::launch::async, load_snapshot_file, files[i], std::move(read_buffer), std::move(spare));
    }
  };
  load_ahead(0);
  for (size_t i = 0; i < files.size(); ++i) {
    const std::filesystem::path& file = files[i];
    LoadedSnapshot loaded = next.get();
    read_buffer = std::move(loaded.spare);
    load_ahead(i + 1);
    Snapshot s = parse_snapshot_file(loaded, wanted, std::move(spare_samples));
    if (!h.snapshots.empty() && s.process.pid == h.pid && s.process.start_mono_ns > h.timeline.start_ns) {
      // The process exec'd another program: what came before is another heap.
      size_t skipped = h.skipped_before_exec + h.snapshots.size();
      h = ProcessHistory{};
      h.skipped_before_exec = skipped;
      grouper.clear();
      before.clear();
    }
    uint32_t k = static_cast<uint32_t>(h.snapshots.size());
    if (k == 0) {
      h.pid = s.process.pid;
      h.command = join_arguments(s.process);
      h.sample_rate = s.process.sample_rate;
      h.frame_pointers_only = s.counters.count("frame_pointers_only") != 0;
      h.timeline.start_ns = s.process.start_mono_ns;
    } else if (s.process.pid != h.pid || s.process.start_mono_ns != h.timeline.start_ns) {
      throw std::runtime_error(file.string() + ": not a snapshot of the same process as " +
                               h.snapshots.front().path.string());
    } else if (s.process.mono_ns <= h.timeline.snapshot_ns.back()) {
      throw std::runtime_error(file.string() + ": taken before " + h.snapshots.back().path.string());
    }
    if (k == 0) symbolizer.use_jit_code(s, file.parent_path());
    h.timeline.snapshot_ns.push_back(s.process.mono_ns);
    now.clear();
    now.reserve(s.samples.size());
    for (uint32_t i = 0; i < s.samples.size(); ++i) now.push_back({s.samples[i].address, s.samples[i].alloc_mono_ns, 0, i});
    sort_blocks(now, scratch);
    now.erase(std::unique(now.begin(), now.end(), [](const LiveBlock& a, const LiveBlock& b) { return !(a < b); }),
              now.end());  // listed twice: one block
    // A block's `last` is written when it is found gone, not each snapshot it lives
    // through: those writes land all over the sites' samples, and were a tenth of the
    // time with 100,000 blocks living through 100 snapshots.
    auto gone = [&](const LiveBlock& o) { h.sites[o.site].samples[o.index].last = k - 1; };
    auto old = before.begin();
    fresh.clear();
    for (LiveBlock& b : now) {
      for (; old != before.end() && *old < b; ++old) gone(*old);
      if (old != before.end() && !(b < *old)) {  // live before: still live
        b.site = old->site, b.index = old->index;
        ++old;
      } else {
        fresh.push_back(uint64_t{b.index} << 32 | uint64_t(&b - now.data()));
      }
    }
    for (; old != before.end(); ++old) gone(*old);
    // New blocks in the file's order, so that sites are numbered as they appear.
    std::sort(fresh.begin(), fresh.end());
    for (uint64_t f : fresh) {
      LiveBlock* b = &now[uint32_t(f)];
      const Sample& sample = s.samples[b->index];
      size_t site = grouper.site_of(s, sample.stack_id, sample.alloc_mono_ns);
      auto& samples = h.sites[site].samples;
      b->site = static_cast<uint32_t>(site), b->index = static_cast<uint32_t>(samples.size());
      samples.push_back({sample.alloc_mono_ns, double(sample.size) * sample.weight, sample.weight, k, k});
    }
    std::swap(before, now);
    h.snapshots.push_back({file, s.process, std::move(s.counters), std::move(s.memory), jit_code_mapped_bytes(s.maps),
                           thread_stacks_mapped(s.maps)});
    spare = std::move(loaded.contents);
    spare_samples = std::move(s.samples);
  }
  for (const LiveBlock& b : before) h.sites[b.site].samples[b.index].last = uint32_t(h.snapshots.size() - 1);
  return h;
}

const char* const kFramePointersOnlyNote =
    "stacks were walked by frame pointers alone (the program ran without libunwind, or with HEAPDRIFT_UNWIND=fp): "
    "each ends at the first function built without them, often the allocator's caller";

}  // namespace heapdrift
