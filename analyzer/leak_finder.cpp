#include "leak_finder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>

#include "memory_breakdown.h"
#include "units.h"

namespace heapdrift {
namespace {

// The snapshot's own figure (exact or the allocator's), 0 where it has none: what the
// teardown test compares, which an estimate's sampling error could fool.
double live_heap(const SnapshotSummary& s) { return live_heap_bytes(s.counters, s.memory).value_or(0); }

// What snapshot k's samples estimate of the live heap: where the snapshots lack the
// figure (glibc's left out after a slow walk of its arenas, an allocator without any).
double sampled_live_heap(const ProcessHistory& h, size_t k) {
  double bytes = 0;
  for (const SiteHistory& site : h.sites) bytes += live_at(site, static_cast<uint32_t>(k)).bytes;
  return bytes;
}

double live_heap_or_estimate(const ProcessHistory& h, size_t k) {
  const SnapshotSummary& s = h.snapshots[k];
  const auto figure = live_heap_bytes(s.counters, s.memory);
  return figure ? *figure : sampled_live_heap(h, k);
}

double rss(const SnapshotSummary& s) { return s.memory ? value_or_zero(s.memory->values, "rss_bytes") : 0.0; }

// What tells apart, or shows heapdrift, the memory a runtime maps outside malloc: by the
// program's name, since that is what the runtimes the users ask about are run as, and
// for a JVM by its counters too (a server's own launcher embeds one under its name).
std::string outside_malloc_hint(const std::string& exe, bool jvm_counters) {
  const std::string name = std::filesystem::path(exe).filename().string();
  if (name.rfind("python", 0) == 0) {
    return "in CPython, objects of 512 bytes or less live in pymalloc's arenas, mapped directly: run it with "
           "PYTHONMALLOC=malloc and heapdrift sees them";
  }
  if (name == "node" || name == "nodejs") {
    return "in Node.js, V8's heap of JavaScript objects is mapped directly: process.memoryUsage() tells its "
           "size, and a heap snapshot (node --heapsnapshot-signal=SIGUSR2) its objects";
  }
  if (name == "java" || jvm_counters) {
    return "in a JVM, Native Memory Tracking tells these apart (-XX:NativeMemoryTracking=summary, then jcmd PID "
           "VM.native_memory summary)";
  }
  return "pmap -x PID gives each mapping's resident size, and strace -f -k -e trace=mmap -p PID the calls that "
         "map more, with their stacks";
}

// The same for shared memory, where a runtime keeps its own in it: PostgreSQL's shared
// buffers, ZGC's Java heap; else nothing.
std::string shared_memory_hint(const std::string& exe, const MemoryTrend& t) {
  // One shared mapping that each process counts in its RSS as far as it has touched
  // it: a backend's RSS grows so while it reads more of the database (pgbench, by hand:
  // +16 MiB a backend in 4 minutes).
  if (std::filesystem::path(exe).filename() == "postgres") {
    return " of malloc; in PostgreSQL that is mostly its shared buffers, which each process counts in its RSS as "
           "far as it has touched them, up to shared_buffers: growth that levels off there is none of this "
           "process's own (pg_buffercache shows what they hold)";
  }
  if (!t.jvm_first || !t.jvm_last) return "";
  // ZGC's heap is a memfd (/memfd:java_heap) that JDK 17 maps three times over, each
  // view counted in RSS as far as it is used.
  const JvmSpaces &a = *t.jvm_first, &b = *t.jvm_last;
  std::string text = " of malloc; but a JVM's Java heap is shared memory under ZGC (/memfd:java_heap)";
  if (a.heap_resident_shared && b.heap_resident_shared) {
    text += ": its pages in RAM went " + format_bytes(*a.heap_resident_shared) + " -> " +
            format_bytes(*b.heap_resident_shared) + " as RSS counts them (" +
            (b.counters ? "the JVM committed " + format_bytes(b.heap_committed) + "; " : "") +
            "JDK 17 maps the heap three times over, and RSS counts each view)";
  } else if (b.counters) {
    text += ", and the JVM counts its heap " + format_bytes(a.heap_committed) + " -> " +
            format_bytes(b.heap_committed) + " committed";
  }
  return text;
}

std::string count(double n) { return std::to_string(uint64_t(std::max(0.0, n))); }

// Threads' stacks mapped beyond the threads running (the main thread's is not counted
// among the stacks), when they grew by 64 at least and come to more than twice the
// 40 MiB of ended threads' stacks that glibc keeps for reuse: threads that ended without
// being joined or detached, each keeping its stack. A JVM churning threads keeps some
// 8 to 25 beyond its threads (ThreadChurn), HotSpot's being detached.
std::string unjoined_threads(const MemoryTrend& t) {
  if (!t.threads_first || !t.threads_last || t.stacks_last.count == 0) return "";
  const double first = double(t.stacks_first.count) - (*t.threads_first - 1);
  const double last = double(t.stacks_last.count) - (*t.threads_last - 1);
  const double stack = double(t.stacks_last.bytes) / double(t.stacks_last.count);
  if (last - first < 64 || last * stack <= 80.0 * (1 << 20)) return "";
  return count(last) + " threads' stacks are mapped beyond the " + count(*t.threads_last) +
         " threads running, " + count(last - first) + " more than at the start (" + format_bytes(stack) +
         " a stack): threads that ended without pthread_join or pthread_detach keep their stacks, resident as far "
         "as they were used (a program's own fibers or coroutines, with guard pages, would look the same)";
}

// Where growth outside malloc that came to `outside` bytes went, as far as the snapshots
// tell: a JVM's own counters (its Metaspace and Java heap as of its last GC, threads,
// classes), a JIT's code (the code cache's mapping, and a JVM's compiled code from its
// JIT log), each from first to last; which of them took the growth, and where to look
// next.
std::string where_outside_malloc_went(const MemoryTrend& t, double outside) {
  std::string text;
  // Each that took a quarter of the growth or more, the larger first.
  std::vector<std::pair<double, std::string>> took;
  double counted = 0;  // what the figures below account for
  auto took_if = [&](double growth, std::string what) {
    counted += std::max(0.0, growth);
    if (growth >= 0.25 * outside) took.emplace_back(growth, std::move(what));
  };
  if (t.jvm_first && t.jvm_last) {
    const JvmSpaces &a = *t.jvm_first, &b = *t.jvm_last;
    // Committed is what the JVM set aside; RSS counts the pages of it the heap has used.
    const bool resident = a.heap_resident && b.heap_resident, counters = a.counters && b.counters;
    const std::string resident_change =
        resident ? format_bytes(*a.heap_resident) + " -> " + format_bytes(*b.heap_resident) : "";
    if (counters) {
      const bool metaspace_counted = a.metaspace_committed > 0;  // both are, or neither (memory_trend)
      text += ". The JVM's own counters (its heap and Metaspace as of its last GC): Metaspace " +
              (metaspace_counted
                   ? format_bytes(a.metaspace_committed) + " -> " + format_bytes(b.metaspace_committed) + " committed"
                   : std::string("not counted yet (no GC had run)")) +
              ", Java heap " + format_bytes(a.heap_committed) + " -> " + format_bytes(b.heap_committed);
      if (resident) text += " committed (" + resident_change + " of it resident at the snapshots)";
      text += ", " + count(a.threads) + " -> " + count(b.threads) + " threads, " + count(a.classes) + " -> " +
              count(b.classes) +
              " classes loaded (HotSpot counts each redefinition or retransformation of a class as one more)";
      const double metaspace = b.metaspace_committed - a.metaspace_committed;
      took_if(metaspace, "Metaspace, which holds the classes' metadata, took " + format_bytes(metaspace) +
                             " of it: classes loaded without end (a class loader never let go: jcmd PID "
                             "VM.classloader_stats), or classes redefined or retransformed again and again (an "
                             "agent's instrumentation), whose old versions it keeps; jcmd PID VM.metaspace shows "
                             "it by loader");
    } else if (resident) {
      text += ". The JVM's own counters are off (-XX:-UsePerfData); its Java heap's pages in RAM went " +
              resident_change + " at the snapshots";
    }
    // What the heap took of RSS: the pages it used, where the shim measured them; else
    // what it committed. Mostly pages committed before: the heap using what it set aside.
    const double heap = b.heap_committed - a.heap_committed;
    const double heap_took = resident ? *b.heap_resident - *a.heap_resident : heap;
    const bool first_use = counters && resident && heap < heap_took / 2;
    std::string how = first_use ? ", in pages of what it had committed before, resident as the heap first uses them: "
                                  "RSS grows so until the heap has used all it committed (-XX:+AlwaysPreTouch uses "
                                  "it all at the start)"
                      : counters ? ": it grows up to its maximum (-Xmx) as the program needs"
                                 : ", in pages it had not used before: as it first uses what it committed "
                                   "(-XX:+AlwaysPreTouch uses it all at the start), or as it grows up to its "
                                   "maximum (-Xmx)";
    took_if(heap_took, "the Java heap took " + format_bytes(heap_took) + " of it" + how +
                           "; a heap dump shows what it holds");
  }
  // A mebibyte at least: libffi's closures and the like are not a JIT's code.
  if (t.jit_code_mapped_last >= double(1 << 20)) {
    const double code = t.jit_code_mapped_last - t.jit_code_mapped_first;
    text += ". Anonymous executable memory, where a JIT puts its code (a JVM's code cache), went " +
            format_bytes(t.jit_code_mapped_first) + " -> " + format_bytes(t.jit_code_mapped_last) + " mapped";
    if (t.compiled_code) {
      text += "; of it, the compiled Java code alive (its instructions alone, from the JIT log) " +
              format_bytes(double(t.compiled_code->first)) + " -> " + format_bytes(double(t.compiled_code->last));
    }
    took_if(code, "the JIT's code cache took " + format_bytes(code) +
                      " of it: code compiled for more and more methods (classes loaded without end), or old "
                      "versions kept (a method compiled again and again, which code growth names); in a JVM, jcmd "
                      "PID Compiler.codecache shows its use, and HotSpot keeps what it committed for it");
  }
  // The counters give the JVM's threads, not their memory: each thread's stack is mapped
  // directly, and holds what the thread has used of it (a parked Java thread, 33 KiB of
  // its 1 MiB: docs/LEAK_RANKING.md). So when the threads grew and the figures above leave
  // a quarter of the growth or more, the rest is told per thread started, for threads
  // never ended. A share above a thread's default stack (glibc's, 8 MiB) is not theirs.
  if (t.jvm_first && t.jvm_last) {
    const double threads = t.jvm_last->threads - t.jvm_first->threads, rest = outside - counted;
    if (threads >= std::max(16.0, 0.25 * t.jvm_first->threads) && rest >= 0.25 * outside &&
        rest / threads <= 8.0 * (1 << 20)) {
      took.emplace_back(rest, "the " + count(threads) + " threads the JVM gained may hold what the figures above "
                              "leave, " + format_bytes(rest) + " (" + format_bytes(rest / threads) +
                              " a thread): each thread's stack is mapped directly, resident as far as the thread "
                              "has used it (jcmd PID Thread.print lists the threads, to find those started and "
                              "never ended)");
    }
  }
  std::sort(took.begin(), took.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  for (size_t i = 0; i < took.size(); ++i) {
    std::string part = took[i].second;
    if (i == 0) part[0] = char(std::toupper(static_cast<unsigned char>(part[0])));
    text += (i == 0 ? ". " : "; ") + part;
  }
  return text;
}

// Where the `unexplained` part of RSS growth from `a` to `b` went: into the allocator's
// free memory, into anonymous memory the allocator does not hold (mapped directly), into
// what the allocator held already, written for the first time, or into file-backed
// memory; the largest of those the snapshots give.
std::string where_rss_went(const MemoryBreakdown& a, const MemoryBreakdown& b, double unexplained,
                           const std::string& exe, const MemoryTrend& t) {
  std::optional<double> held_free, outside, first_written, file;
  if (a.allocator_free && b.allocator_free) held_free = *b.allocator_free - *a.allocator_free;
  // RSS gained as the allocator's memory is first written (an arena, a pool, a ring
  // buffer filled as it is used) is that; only the rest is outside malloc.
  auto beyond = [](const MemoryBreakdown& m) { return std::max(0.0, *m.anonymous - *m.allocator_held); };
  if (a.anonymous && b.anonymous && a.allocator_held && b.allocator_held) {
    first_written = allocator_not_resident(a) - allocator_not_resident(b);
    outside = beyond(b) - beyond(a);
  }
  if (a.file_backed && b.file_backed) file = *b.file_backed - *a.file_backed;
  const double f = held_free.value_or(-INFINITY), o = outside.value_or(-INFINITY), fb = file.value_or(-INFINITY);
  const double w = first_written.value_or(-INFINITY);
  if (w > 0 && w >= f && w >= o && w >= fb) {
    return "; the allocator held it already: of what it had obtained from the system, at least " +
           format_bytes(allocator_not_resident(a)) + " was not resident at the start and " +
           format_bytes(allocator_not_resident(b)) +
           " at the end (blocks allocated whole and written as they are used: an arena, a pool, a ring buffer; "
           "the live heap counts them from their allocation on)";
  }
  if (o > 0 && o >= f && o >= fb) {
    return "; it is outside malloc: anonymous memory that the allocator does not hold grew by " +
           format_bytes(*outside) +
           " (mapped directly: a JVM's Java heap, Metaspace, code cache or thread stacks, a garbage-collected "
           "heap, mmap). heapdrift samples malloc only; " + outside_malloc_hint(exe, t.jvm_last.has_value()) +
           where_outside_malloc_went(t, *outside);
  }
  // Without the allocator's figures, file-backed memory only when it is most of the growth.
  if (fb > 0 && fb >= f && fb >= o && (held_free || fb >= unexplained / 2)) {
    return "; file-backed and shared memory grew by " + format_bytes(*file) +
           " (mapped files, shared memory, tmpfs): not the heap" + shared_memory_hint(exe, t);
  }
  if (!held_free) {
    const auto left_out = b.allocator_left_out_us ? b.allocator_left_out_us : a.allocator_left_out_us;
    return "; the snapshots do not tell whether the allocator keeps it free or it is outside malloc" +
           (left_out ? " (" + allocator_left_out_reason(*left_out) + ")" : std::string());
  }
  std::string note = "; the allocator keeps freed memory";
  if (b.allocator == "glibc" && b.arenas) {
    note += " (glibc: " + std::to_string(uint64_t(*b.arenas)) + " arenas, " + format_bytes(*b.allocator_free) +
            " free inside them). Fragmentation or too many arenas: try MALLOC_ARENA_MAX=2";
  } else if (b.allocator == "jemalloc") {
    note += " (jemalloc: " + format_bytes(*b.allocator_free) + " resident but not allocated)";
  }
  return note;
}

// From the first snapshot to snapshot `last_judged`.
MemoryTrend memory_trend(const ProcessHistory& h, size_t last_judged, std::optional<CompiledCodeBytes> compiled_code) {
  MemoryTrend t;
  t.compiled_code = compiled_code;
  // The program's malloc is its own (the shim found so at its start): no call reached the
  // shim, which wrote only the exit snapshot, and nothing below would mean anything.
  if (!h.snapshots.empty() && h.snapshots[last_judged].memory &&
      h.snapshots[last_judged].memory->allocator == "own") {
    t.note = "the program's malloc is its own (an allocator linked into it, such as jemalloc, tcmalloc, "
             "mimalloc or Chromium's PartitionAlloc), which comes before any preloaded library: the shim saw "
             "none of its allocations. Record it built against a shared allocator, or with its allocator's own "
             "profiler (jemalloc: MALLOC_CONF=prof:true; heapdrift reads its heap profiles)";
    t.saw_no_allocation = true;
    return t;
  }
  if (last_judged == 0) return t;
  const SnapshotSummary &first = h.snapshots.front(), &last = h.snapshots[last_judged];
  t.rss_first = rss(first), t.rss_last = rss(last);
  // Both ends from one source: an exact figure less an estimate would be the estimate's
  // error shown as growth.
  const auto exact_first = live_heap_bytes(first.counters, first.memory);
  const auto exact_last = live_heap_bytes(last.counters, last.memory);
  if (exact_first && exact_last) {
    t.heap_first = *exact_first, t.heap_last = *exact_last;
  } else {
    t.heap_first = sampled_live_heap(h, 0), t.heap_last = sampled_live_heap(h, last_judged);
    t.heap_estimated = true;
  }
  t.jit_code_mapped_first = double(first.jit_code_mapped), t.jit_code_mapped_last = double(last.jit_code_mapped);
  t.stacks_first = first.thread_stacks, t.stacks_last = last.thread_stacks;
  if (first.memory && last.memory && first.memory->values.count("process_threads") &&
      last.memory->values.count("process_threads")) {
    t.threads_first = value_or_zero(first.memory->values, "process_threads");
    t.threads_last = value_or_zero(last.memory->values, "process_threads");
  }
  // Metaspace reads 0 until the JVM's first GC updates its counters: the figures run
  // from the first snapshot where it is set, when two are; else over all that have
  // them, Metaspace left uncounted.
  std::optional<JvmSpaces> counted_first, counted_last, any_first, any_last;
  for (size_t k = 0; k <= last_judged; ++k) {
    auto jvm = jvm_spaces(h.snapshots[k].memory);
    if (!jvm) continue;
    (any_first ? any_last : any_first) = jvm;
    if (jvm->metaspace_committed > 0) (counted_first ? counted_last : counted_first) = jvm;
  }
  if (counted_last) {
    t.jvm_first = counted_first, t.jvm_last = counted_last;
  } else if (any_last) {
    t.jvm_first = any_first, t.jvm_last = any_last;
    t.jvm_first->metaspace_committed = t.jvm_last->metaspace_committed = 0;
  }
  double rss_growth = t.rss_last - t.rss_first, heap_growth = t.heap_last - t.heap_first;
  // RSS grew noticeably and the heap explains little of it.
  if (t.rss_first > 0 && rss_growth > std::max(16.0 * (1 << 20), 0.1 * t.rss_first) &&
      heap_growth < 0.25 * rss_growth) {
    const MemoryBreakdown a = memory_breakdown(first.counters, first.memory);
    const MemoryBreakdown b = memory_breakdown(last.counters, last.memory);
    const std::string heap_change = heap_growth < 0 ? "shrank by " + format_bytes(-heap_growth)
                                                    : "grew by " + format_bytes(heap_growth);
    t.note = "RSS grew by " + format_bytes(rss_growth) + " while the live heap " +
             (t.heap_estimated ? "(estimated from the samples) " : "") + heap_change +
             ": no allocation site explains it" +
             where_rss_went(a, b, rss_growth - heap_growth, last.process.exe, t);
  }
  // Said whether RSS grew much or not: each such thread holds its stack's address space
  // too, and a process runs out of mappings (vm.max_map_count) long before memory.
  const std::string unjoined = unjoined_threads(t);
  if (!unjoined.empty()) t.note = t.note ? *t.note + ". " + unjoined : unjoined;
  return t;
}

}  // namespace

void extend_to_every_snapshot(Verdict& v, const ProcessHistory& h, size_t judged_snapshots,
                              const std::vector<size_t>& sites) {
  for (size_t k = judged_snapshots; k < h.snapshots.size(); ++k) {
    LiveTotals t;
    for (size_t i : sites) {
      LiveTotals s = live_at(h.sites[i], static_cast<uint32_t>(k));
      t.bytes += s.bytes, t.variance += s.variance;
    }
    v.live.push_back(t.bytes);
    v.live_variance.push_back(t.variance);
  }
}

ProcessLeaks find_leaks(ProcessHistory history, const LeakCriteria& criteria, const perfmap::JitCodeMap* code) {
  ProcessLeaks r;
  r.history = std::move(history);
  const ProcessHistory& h = r.history;
  // The exit snapshot is written after the program's teardown, where the destructors
  // of global containers or an interpreter's finalization free what a leak kept while
  // the program ran: with three snapshots before it, the test leaves it out (and those
  // that caught a slow teardown under way).
  Timeline judged = h.timeline;
  if (judged.snapshot_ns.size() > 3 && h.snapshots.back().process.trigger == format::Trigger::kExit) {
    judged.snapshot_ns.pop_back();
    // A snapshot taken while the teardown was under way (CPython's finalization takes
    // a while): the live heap had fallen by a quarter since the snapshot before, and
    // fell on to the exit snapshot. It is left out too.
    const double at_exit = live_heap(h.snapshots.back());
    while (judged.snapshot_ns.size() > 3) {
      const size_t k = judged.snapshot_ns.size() - 1;
      const double now = live_heap(h.snapshots[k]);
      if (!(now < 0.75 * live_heap(h.snapshots[k - 1]) && at_exit <= now)) break;
      judged.snapshot_ns.pop_back();
    }
  }
  r.judged_snapshots = judged.snapshot_ns.size();
  const size_t last = r.judged_snapshots - 1;
  const double heap_last = r.judged_snapshots > 0 ? live_heap_or_estimate(h, last) : 0.0;
  for (size_t i = 0; i < h.sites.size(); ++i) {
    Verdict v = judge_site(judged, h.sites[i].samples, criteria);
    if (!v.leak) {
      // Growth worth a look: a mebibyte and a tenth of the heap at least, and beyond
      // four standard deviations of its sampling error (that of the blocks live at one
      // end only: the others count at both).
      if (v.live.size() < 3 || v.growth <= std::max(double(1 << 20), 0.1 * heap_last)) continue;
      GrowingSite g{i, v.live.front(), v.live.back(), *std::max_element(v.live.begin(), v.live.end()), 0, 0,
                    v.reason};
      double variance = 0;
      for (const TrackedSample& t : h.sites[i].samples) {
        const bool at_first = t.first == 0, at_last = t.first <= last && t.last >= last;
        if (at_first != at_last) variance += t.sampling_variance();
        g.blocks += at_last;
        g.large_blocks += at_last && t.weight < 1.001;
      }
      if (v.growth > 4 * std::sqrt(variance)) r.growing.push_back(std::move(g));
      continue;
    }
    extend_to_every_snapshot(v, h, r.judged_snapshots, {i});
    r.suspects.push_back({i, std::move(v)});
  }
  std::stable_sort(r.suspects.begin(), r.suspects.end(),
                   [](const Suspect& a, const Suspect& b) { return stronger(a.verdict, b.verdict); });
  std::stable_sort(r.growing.begin(), r.growing.end(),
                   [](const GrowingSite& a, const GrowingSite& b) { return a.last - a.first > b.last - b.first; });
  r.detection_floor = detection_floor(judged, h.sample_rate, criteria);
  if (r.judged_snapshots == 0) return r;
  std::optional<CompiledCodeBytes> compiled_bytes;
  if (code && code->has_log()) {
    CompiledCode compiled = compiled_code(judged.snapshot_ns, *code);
    compiled_bytes = compiled.bytes;
    r.code_growth = std::move(compiled.growth);
  }
  r.memory = memory_trend(h, r.judged_snapshots - 1, compiled_bytes);
  return r;
}

}  // namespace heapdrift
