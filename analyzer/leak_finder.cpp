#include "leak_finder.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

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

// Where the `unexplained` part of RSS growth from `a` to `b` went: into the allocator's
// free memory, into anonymous memory the allocator does not hold (mapped directly), or
// into file-backed memory; the largest of those the snapshots give.
std::string where_rss_went(const MemoryBreakdown& a, const MemoryBreakdown& b, const KeyValues& last,
                           double unexplained) {
  std::optional<double> held_free, outside, file;
  if (a.allocator_free && b.allocator_free) held_free = *b.allocator_free - *a.allocator_free;
  if (a.anonymous && b.anonymous && a.allocator_held && b.allocator_held) {
    outside = (*b.anonymous - *b.allocator_held) - (*a.anonymous - *a.allocator_held);
  }
  if (a.file_backed && b.file_backed) file = *b.file_backed - *a.file_backed;
  const double f = held_free.value_or(-INFINITY), o = outside.value_or(-INFINITY), fb = file.value_or(-INFINITY);
  if (o > 0 && o >= f && o >= fb) {
    return "; it is outside malloc: anonymous memory that the allocator does not hold grew by " +
           format_bytes(*outside) +
           " (mapped directly: a JVM's Java heap, Metaspace, code cache or thread stacks, a garbage-collected "
           "heap, mmap). heapdrift samples malloc only; in a JVM, Native Memory Tracking tells these apart "
           "(-XX:NativeMemoryTracking=summary, then jcmd PID VM.native_memory summary)";
  }
  // Without the allocator's figures, file-backed memory only when it is most of the growth.
  if (fb > 0 && fb >= f && fb >= o && (held_free || fb >= unexplained / 2)) {
    return "; file-backed and shared memory grew by " + format_bytes(*file) +
           " (mapped files, shared memory, tmpfs): not the heap";
  }
  if (!held_free) return "; the snapshots do not tell whether the allocator keeps it free or it is outside malloc";
  std::string note = "; the allocator keeps freed memory";
  if (last.count("malloc.arena_count")) {
    note += " (glibc: " + std::to_string(last.at("malloc.arena_count")) + " arenas, " +
            format_bytes(value(last, "malloc.free_bytes")) +
            " free inside them). Fragmentation or too many arenas: try MALLOC_ARENA_MAX=2";
  } else if (last.count("jemalloc.resident")) {
    note += " (jemalloc: " + format_bytes(value(last, "jemalloc.resident") - value(last, "jemalloc.allocated")) +
            " resident but not allocated)";
  }
  return note;
}

MemoryTrend memory_trend(const ProcessHistory& h) {
  MemoryTrend t;
  if (h.snapshots.size() < 2) return t;
  const SnapshotSummary &first = h.snapshots.front(), &last = h.snapshots.back();
  t.rss_first = rss(first), t.rss_last = rss(last);
  t.heap_first = live_heap(first), t.heap_last = live_heap(last);
  double rss_growth = t.rss_last - t.rss_first, heap_growth = t.heap_last - t.heap_first;
  // RSS grew noticeably and the heap explains little of it.
  if (t.rss_first > 0 && rss_growth > std::max(16.0 * (1 << 20), 0.1 * t.rss_first) &&
      heap_growth < 0.25 * rss_growth) {
    t.note = "RSS grew by " + format_bytes(rss_growth) + " while the live heap grew by " + format_bytes(heap_growth) +
             ": no allocation site explains it" +
             where_rss_went(memory_breakdown(first.counters, first.memory), memory_breakdown(last.counters, last.memory),
                            last.memory ? last.memory->values : KeyValues{}, rss_growth - heap_growth);
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
