#include "jit_code_map.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "java_names.h"

namespace heapdrift::perfmap {
namespace {

// The bci of a frame whose position in its method is not known (no record at the pc).
constexpr int32_t kUnknownBci = INT32_MIN;

// A key that tells methods apart for interning: generated code and Java methods with
// the same name are different things.
std::string method_key(bool generated, const std::string& function, const std::string& signature,
                       const std::string& file) {
  return std::string(generated ? "G" : "J") + function + '\n' + signature + '\n' + file;
}

}  // namespace

uint32_t JitCodeMap::add_method(Method method) {
  std::sort(method.lines.begin(), method.lines.end(),
            [](const LineNumber& a, const LineNumber& b) { return a.start_bci < b.start_bci; });
  methods_.push_back(std::move(method));
  return static_cast<uint32_t>(methods_.size() - 1);
}

uint32_t JitCodeMap::unknown_method() {
  if (unknown_method_ == UINT32_MAX) unknown_method_ = add_method({"[unknown Java method]", "", "", {}});
  return unknown_method_;
}

JitCodeMap JitCodeMap::from_log(const std::filesystem::path& path) {
  JitCodeMap map;
  map.add_log(read_jit_log(path));
  return map;
}

// A blob with no frames or pc records yet; they are appended after it.
JitCodeMap::Blob JitCodeMap::new_blob(uint64_t start, uint64_t end, uint64_t load_ns, bool generated,
                                      bool from_perf_map) const {
  Blob b{};
  b.start = start;
  b.end = end;
  b.load_ns = load_ns;
  b.unload_ns = kNever;
  b.replaced_ns = kNever;
  b.order = blobs_.size();
  b.generated = generated;
  b.nests = generated;
  b.from_perf_map = from_perf_map;
  b.first_frame = static_cast<uint32_t>(frames_.size());
  b.first_pc = static_cast<uint32_t>(pcs_.size());
  return b;
}

void JitCodeMap::add_log(const JitLog& log) {
  warnings_.insert(warnings_.end(), log.warnings.begin(), log.warnings.end());
  has_log_ = true;
  if (!log.sessions.empty()) last_session_ns_ = log.sessions.back().mono_ns;

  // Methods: the log's, then the generated-code names interned as methods.
  std::vector<uint32_t> method_of(log.methods.size());
  for (size_t i = 0; i < log.methods.size(); ++i) {
    const LogMethod& m = log.methods[i];
    method_of[i] = add_method({m.function(), m.signature, m.source_file, m.lines, m.jvm_id});
  }
  auto method = [&](uint32_t log_index) { return log_index == kNoMethod ? unknown_method() : method_of[log_index]; };
  std::unordered_map<std::string, uint32_t> generated_names;

  // Interpreted methods by Method* address; each session's records hold from its
  // start to the next session's.
  for (const LogMethodAddress& a : log.method_addresses) {
    uint64_t begin = log.sessions[a.session].mono_ns;
    uint64_t end = a.session + 1 < log.sessions.size() ? log.sessions[a.session + 1].mono_ns : kNever;
    method_addresses_[a.address].push_back({a.time_ns, begin, end, method_of[a.method]});
  }

  // Replay the records in file order: an unload ends the latest load at its address.
  enum class Kind { kSession, kLoad, kUnload, kDynamic };
  std::vector<std::tuple<uint64_t, Kind, size_t>> events;
  events.reserve(log.sessions.size() + log.loads.size() + log.unloads.size() + log.dynamic_code.size());
  for (size_t i = 0; i < log.sessions.size(); ++i) events.emplace_back(log.sessions[i].sequence, Kind::kSession, i);
  for (size_t i = 0; i < log.loads.size(); ++i) events.emplace_back(log.loads[i].sequence, Kind::kLoad, i);
  for (size_t i = 0; i < log.unloads.size(); ++i) events.emplace_back(log.unloads[i].sequence, Kind::kUnload, i);
  for (size_t i = 0; i < log.dynamic_code.size(); ++i) {
    events.emplace_back(log.dynamic_code[i].sequence, Kind::kDynamic, i);
  }
  std::sort(events.begin(), events.end());

  std::unordered_map<uint64_t, std::vector<uint32_t>> live;  // by start address, oldest first
  std::vector<uint32_t> no_blobs;
  size_t unmatched_unloads = 0, duplicates = 0;
  auto end_all_live = [&](uint64_t when) {
    for (auto& [start, list] : live) {
      for (uint32_t b : list) blobs_[b].unload_ns = std::min(blobs_[b].unload_ns, when);
    }
    live.clear();
  };
  // The live blob at `start` with the same range and default method, if any: the
  // same code reported twice (GenerateEvents repeats what was already posted).
  auto same_live = [&](uint64_t start, uint64_t end, uint32_t m) {
    auto it = live.find(start);
    if (it == live.end()) return false;
    for (uint32_t b : it->second) {
      if (blobs_[b].end == end && frames_[blobs_[b].first_frame].method == m) return true;
    }
    return false;
  };

  for (auto [sequence, kind, i] : events) {
    switch (kind) {
      case Kind::kSession:
        // A new image of the process (exec): nothing of the old one is left.
        end_all_live(log.sessions[i].mono_ns);
        break;
      case Kind::kLoad: {
        const LogCodeLoad& c = log.loads[i];
        uint32_t m = method(c.method);
        if (c.size == 0) break;
        if (same_live(c.address, c.address + c.size, m)) {
          ++duplicates;
          break;
        }
        Blob b = new_blob(c.address, c.address + c.size, c.time_ns, false, false);
        frames_.push_back({m, kUnknownBci});
        b.frame_count = 1;
        std::vector<Pc> pcs;
        pcs.reserve(c.pc_count);
        for (uint32_t k = c.first_pc; k < c.first_pc + c.pc_count; ++k) {
          const LogPc& pc = log.pcs[k];
          Pc out{pc.pc, static_cast<uint32_t>(frames_.size()), pc.frame_count};
          for (uint32_t f = pc.first_frame; f < pc.first_frame + pc.frame_count; ++f) {
            frames_.push_back({method(log.frames[f].method), log.frames[f].bci});
          }
          pcs.push_back(out);
        }
        // HotSpot gives pcs in ascending order; if one repeats, its last record wins.
        std::stable_sort(pcs.begin(), pcs.end(), [](const Pc& a, const Pc& b) { return a.pc < b.pc; });
        for (size_t k = 0; k < pcs.size(); ++k) {
          if (k + 1 < pcs.size() && pcs[k + 1].pc == pcs[k].pc) continue;
          pcs_.push_back(pcs[k]);
        }
        b.pc_count = static_cast<uint32_t>(pcs_.size() - b.first_pc);
        std::vector<uint32_t>& here = live[b.start];
        for (uint32_t other : here) {
          if (!blobs_[other].generated) blobs_[other].replaced_ns = std::min(blobs_[other].replaced_ns, c.time_ns);
        }
        here.push_back(static_cast<uint32_t>(blobs_.size()));
        blobs_.push_back(b);
        break;
      }
      case Kind::kUnload: {
        const LogCodeUnload& u = log.unloads[i];
        auto it = live.find(u.address);
        auto& list = it == live.end() ? no_blobs : it->second;
        auto latest = std::find_if(list.rbegin(), list.rend(), [&](uint32_t b) { return !blobs_[b].generated; });
        if (latest == list.rend()) {
          ++unmatched_unloads;
          break;
        }
        blobs_[*latest].unload_ns = u.time_ns;
        list.erase(std::next(latest).base());
        if (list.empty()) live.erase(it);
        break;
      }
      case Kind::kDynamic: {
        const LogDynamicCode& d = log.dynamic_code[i];
        if (d.size == 0) break;
        auto [name, inserted] = generated_names.try_emplace(d.name, 0);
        if (inserted) name->second = add_method({d.name, "", "", {}});
        uint32_t m = name->second;
        if (same_live(d.address, d.address + d.size, m)) {
          ++duplicates;
          break;
        }
        Blob b = new_blob(d.address, d.address + d.size, d.time_ns, true, false);
        frames_.push_back({m, kUnknownBci});
        b.frame_count = 1;
        live[b.start].push_back(static_cast<uint32_t>(blobs_.size()));
        blobs_.push_back(b);
        break;
      }
    }
  }
  if (unmatched_unloads > 0) {
    warnings_.push_back((log.file.empty() ? std::string("JIT log") : log.file) + ": " +
                        std::to_string(unmatched_unloads) +
                        " unload records matched no loaded code (their load records are missing)");
  }
  rebuild_index();
}

std::vector<CompiledVersions> JitCodeMap::compiled_versions(std::span<const uint64_t> times_ns) const {
  std::vector<CompiledVersions> out;
  std::vector<std::tuple<size_t, size_t, uint64_t>> jvm_ids;  // (out's index, time's, jmethodID)
  std::unordered_map<std::string, size_t> index;  // function + signature: a class loaded again has new ids
  for (const Blob& b : blobs_) {
    const uint32_t m = frames_[b.first_frame].method;
    if (b.generated || b.from_perf_map || m == unknown_method_ || b.load_ns < last_session_ns_) continue;
    const uint64_t end_ns = std::min(b.unload_ns, b.replaced_ns);
    const Method& method = methods_[m];
    size_t at = SIZE_MAX;
    for (size_t k = 0; k < times_ns.size(); ++k) {
      if (times_ns[k] < b.load_ns || times_ns[k] >= end_ns) continue;
      if (at == SIZE_MAX) {
        auto [it, added] = index.emplace(method.function + '\n' + method.signature, out.size());
        if (added) {
          const size_t n = times_ns.size();
          out.push_back({method.function, method.signature, std::vector<uint32_t>(n), std::vector<uint64_t>(n),
                         std::vector<uint32_t>(n)});
        }
        at = it->second;
      }
      ++out[at].versions[k];
      out[at].bytes[k] += b.end - b.start;
      if (method.jvm_id != 0) jvm_ids.emplace_back(at, k, method.jvm_id);
    }
  }
  std::sort(jvm_ids.begin(), jvm_ids.end());
  jvm_ids.erase(std::unique(jvm_ids.begin(), jvm_ids.end()), jvm_ids.end());
  for (const auto& [at, k, id] : jvm_ids) ++out[at].methods[k];
  return out;
}

void JitCodeMap::add_perf_map(const std::filesystem::path& path, uint64_t written_ns) {
  add_perf_map(read_perf_map(path), written_ns);
}

void JitCodeMap::add_perf_map(const PerfMap& map, uint64_t written_ns, Runtime runtime) {
  const DatedPerfMap one{&map, written_ns};
  add_perf_maps({&one, 1}, runtime);
}

void JitCodeMap::add_perf_maps(std::span<const DatedPerfMap> maps, Runtime runtime) {
  // Perf-map methods are interned by name: a map repeats them for every compilation.
  std::unordered_map<std::string, uint32_t> interned;
  for (const Blob& b : blobs_) {
    if (!b.from_perf_map) continue;
    for (uint32_t f = b.first_frame; f < b.first_frame + b.frame_count; ++f) {
      const Method& m = methods_[frames_[f].method];
      interned.emplace(method_key(b.generated, m.function, m.signature, m.file), frames_[f].method);
    }
  }
  auto intern = [&](bool generated, std::string function, std::string signature, std::string file) {
    auto [it, inserted] = interned.try_emplace(method_key(generated, function, signature, file), 0);
    if (inserted) it->second = add_method({std::move(function), std::move(signature), std::move(file), {}});
    return it->second;
  };
  auto same_frames = [&](const Blob& a, const std::vector<uint32_t>& methods) {
    if (a.frame_count != methods.size()) return false;
    for (size_t k = 0; k < methods.size(); ++k) {
      if (frames_[a.first_frame + k].method != methods[k]) return false;
    }
    return true;
  };

  // Perf-map code still in force, by start: entries that do not nest never overlap
  // here (a newer overlapping entry ends the older one); a JVM's generated code may.
  std::map<uint64_t, uint32_t> flat;
  std::multimap<uint64_t, uint32_t> nesting;
  for (uint32_t i = 0; i < blobs_.size(); ++i) {
    const Blob& b = blobs_[i];
    if (!b.from_perf_map || b.unload_ns != kNever) continue;
    if (b.nests) {
      nesting.emplace(b.start, i);
    } else {
      flat.emplace(b.start, i);
    }
  }

  for (const DatedPerfMap& dated : maps) {
    const uint64_t written_ns = dated.written_ns;
    warnings_.insert(warnings_.end(), dated.map->warnings.begin(), dated.map->warnings.end());
    for (const PerfMapEntry& e : dated.map->entries) {
      std::vector<JavaMethodName> names;
      if (runtime == Runtime::kJvm) names = parse_perf_map_name(e.name);
      const bool is_generated = names.empty();
      const bool nests = is_generated && runtime == Runtime::kJvm;
      std::vector<uint32_t> methods;
      if (is_generated) {
        methods.push_back(intern(true, e.name, "", ""));
      } else {
        for (JavaMethodName& n : names) methods.push_back(intern(false, n.function, n.signature, n.file));
      }
      uint64_t end = e.start + e.size;
      bool repeated = false;
      if (nests) {
        auto [lo, hi] = nesting.equal_range(e.start);
        for (auto it = lo; it != hi && !repeated; ++it) {
          repeated = blobs_[it->second].end == end && same_frames(blobs_[it->second], methods);
        }
      } else {
        auto it = flat.upper_bound(e.start);
        if (it != flat.begin() && blobs_[std::prev(it)->second].end > e.start) --it;
        while (it != flat.end() && blobs_[it->second].start < end) {
          Blob& old = blobs_[it->second];
          if (old.start == e.start && old.end == end && same_frames(old, methods)) {
            repeated = true;
            break;
          }
          old.unload_ns = written_ns;  // replaced by this newer entry
          it = flat.erase(it);
        }
      }
      if (repeated) continue;

      Blob b = new_blob(e.start, end, written_ns, is_generated, true);
      b.nests = nests;
      b.frame_count = static_cast<uint32_t>(methods.size());
      for (uint32_t m : methods) frames_.push_back({m, kUnknownBci});
      auto index = static_cast<uint32_t>(blobs_.size());
      blobs_.push_back(b);
      if (nests) {
        nesting.emplace(b.start, index);
      } else {
        flat.emplace(b.start, index);
      }
    }
  }
  rebuild_index();
}

void JitCodeMap::rebuild_index() {
  bounds_.clear();
  cover_begin_.clear();
  covers_.clear();
  for (const Blob& b : blobs_) {
    if (b.end <= b.start) continue;
    bounds_.push_back(b.start);
    bounds_.push_back(b.end);
  }
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  if (bounds_.size() < 2) return;

  size_t segments = bounds_.size() - 1;
  auto segment_of = [&](uint64_t address) {
    return static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), address) - bounds_.begin());
  };
  std::vector<int64_t> delta(segments + 1, 0);
  for (const Blob& b : blobs_) {
    if (b.end <= b.start) continue;
    ++delta[segment_of(b.start)];
    --delta[segment_of(b.end)];
  }
  cover_begin_.assign(segments + 1, 0);
  int64_t running = 0;
  uint64_t total = 0;
  for (size_t s = 0; s < segments; ++s) {
    running += delta[s];
    cover_begin_[s] = static_cast<uint32_t>(total);
    total += static_cast<uint64_t>(running);
  }
  cover_begin_[segments] = static_cast<uint32_t>(total);
  covers_.resize(total);
  std::vector<uint32_t> fill(cover_begin_.begin(), cover_begin_.end() - 1);
  for (uint32_t i = 0; i < blobs_.size(); ++i) {
    const Blob& b = blobs_[i];
    if (b.end <= b.start) continue;
    for (size_t s = segment_of(b.start), last = segment_of(b.end); s < last; ++s) covers_[fill[s]++] = i;
  }
}

bool JitCodeMap::better(const Blob& c, const Blob& best) const {
  if (c.generated != best.generated) return !c.generated;  // Java code over stubs
  if (c.nests && best.nests && c.end - c.start != best.end - best.start) {
    return c.end - c.start < best.end - best.start;  // a stub inside a bigger blob
  }
  if (c.load_ns != best.load_ns) return c.load_ns < best.load_ns;
  return c.order < best.order;
}

uint32_t JitCodeMap::line_of(const Method& m, int32_t bci) const {
  // -1 is HotSpot's InvocationEntryBci (a method's entry, e.g. an inlined method's
  // entry counter): like HotSpot's Method::line_number_from_bci, give it bci 0's line.
  if (bci == -1) bci = 0;
  if (bci < 0 || m.lines.empty()) return 0;
  auto it = std::upper_bound(m.lines.begin(), m.lines.end(), static_cast<uint32_t>(bci),
                             [](uint32_t v, const LineNumber& l) { return v < l.start_bci; });
  return it == m.lines.begin() ? 0 : std::prev(it)->line;
}

std::optional<JavaFrame> JitCodeMap::interpreted(uint64_t method_address, uint64_t t_ns) const {
  auto it = method_addresses_.find(method_address);
  if (method_address == 0 || it == method_addresses_.end()) return std::nullopt;
  const MethodAddress* before = nullptr;  // the latest at or before t
  const MethodAddress* after = nullptr;   // the earliest after t
  for (const MethodAddress& a : it->second) {
    if (t_ns < a.session_begin || t_ns >= a.session_end) continue;
    if (a.time_ns <= t_ns) {
      if (!before || a.time_ns >= before->time_ns) before = &a;
    } else if (!after || a.time_ns < after->time_ns) {
      after = &a;
    }
  }
  const MethodAddress* pick = before ? before : after;
  if (!pick) return std::nullopt;
  const Method& m = methods_[pick->method];
  return JavaFrame{m.function, m.signature, m.file, 0, JavaFrame::kInterpreted};
}

std::vector<JavaFrame> JitCodeMap::lookup(uint64_t return_address, uint64_t t_ns) const {
  if (return_address == 0 || bounds_.size() < 2) return {};
  uint64_t call = return_address - 1;
  auto it = std::upper_bound(bounds_.begin(), bounds_.end(), call);
  if (it == bounds_.begin() || it == bounds_.end()) return {};
  size_t segment = static_cast<size_t>(it - bounds_.begin()) - 1;

  const Blob* best = nullptr;
  for (uint32_t k = cover_begin_[segment]; k < cover_begin_[segment + 1]; ++k) {
    const Blob& b = blobs_[covers_[k]];
    if (b.unload_ns <= t_ns) continue;
    if (!best || better(b, *best)) best = &b;
  }
  if (!best) return {};

  uint32_t first = best->first_frame, count = best->frame_count;
  auto pcs_begin = pcs_.begin() + best->first_pc, pcs_end = pcs_begin + best->pc_count;
  auto pc = std::lower_bound(pcs_begin, pcs_end, return_address, [](const Pc& p, uint64_t v) { return p.pc < v; });
  if (pc != pcs_end && pc->pc == return_address && pc->frame_count > 0) {
    first = pc->first_frame;
    count = pc->frame_count;
  }

  std::vector<JavaFrame> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const Frame& f = frames_[first + i];
    const Method& m = methods_[f.method];
    JavaFrame::Kind kind = best->generated ? JavaFrame::kGenerated
                           : i + 1 < count ? JavaFrame::kInlined
                                           : JavaFrame::kCompiled;
    out.push_back({m.function, m.signature, m.file, line_of(m, f.bci), kind});
  }
  return out;
}

}  // namespace heapdrift::perfmap
