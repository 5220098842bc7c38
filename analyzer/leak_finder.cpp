#include "leak_finder.h"

#include <algorithm>

#include "memory_breakdown.h"
#include "units.h"

namespace heapdrift {
namespace {

double value(const KeyValues& kv, const char* key) {
  auto it = kv.find(key);
  return it == kv.end() ? 0.0 : double(it->second);
}

double live_heap(const SnapshotSummary& s) { return live_heap_bytes(s.counters, s.memory).value_or(0); }

double rss(const SnapshotSummary& s) { return s.memory ? value(s.memory->values, "rss_bytes") : 0.0; }

MemoryTrend memory_trend(const ProcessHistory& h) {
  MemoryTrend t;
  if (h.snapshots.size() < 2) return t;
  const SnapshotSummary &first = h.snapshots.front(), &last = h.snapshots.back();
  t.rss_first = rss(first), t.rss_last = rss(last);
  t.heap_first = live_heap(first), t.heap_last = live_heap(last);
  double rss_growth = t.rss_last - t.rss_first, heap_growth = t.heap_last - t.heap_first;
  // RSS grew noticeably and the heap explains little of it: the allocator holds freed
  // memory (fragmentation, or one arena per thread in glibc).
  if (t.rss_first > 0 && rss_growth > std::max(16.0 * (1 << 20), 0.1 * t.rss_first) &&
      heap_growth < 0.25 * rss_growth) {
    std::string note = "RSS grew by " + format_bytes(rss_growth) + " while the live heap grew by " +
                       format_bytes(heap_growth) + ": no allocation site explains it; the allocator keeps freed memory";
    if (last.memory) {
      const KeyValues& m = last.memory->values;
      if (m.count("malloc.arena_count")) {
        note += " (glibc: " + std::to_string(m.at("malloc.arena_count")) + " arenas, " +
                format_bytes(value(m, "malloc.free_bytes")) +
                " free inside them). Fragmentation or too many arenas: try MALLOC_ARENA_MAX=2";
      } else if (m.count("jemalloc.resident")) {
        note += " (jemalloc: " + format_bytes(value(m, "jemalloc.resident") - value(m, "jemalloc.allocated")) +
                " resident but not allocated)";
      }
    }
    t.note = note;
  }
  return t;
}

}  // namespace

ProcessLeaks find_leaks(ProcessHistory history, const LeakCriteria& criteria) {
  ProcessLeaks r;
  r.history = std::move(history);
  const ProcessHistory& h = r.history;
  for (size_t i = 0; i < h.sites.size(); ++i) {
    Verdict v = judge_site(h.timeline, h.sites[i].samples, criteria);
    if (v.leak) r.suspects.push_back({i, std::move(v)});
  }
  std::stable_sort(r.suspects.begin(), r.suspects.end(),
                   [](const Suspect& a, const Suspect& b) { return stronger(a.verdict, b.verdict); });
  r.detection_floor = detection_floor(h.timeline, h.sample_rate, criteria);
  r.memory = memory_trend(h);
  return r;
}

}  // namespace heapdrift
