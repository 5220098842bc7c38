// `heapdrift report SNAPSHOT|DIR [--top N]`: the live heap by allocation site in one
// snapshot (the latest of a recording's main process), its totals, and where the
// process's RSS goes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "analysis_options.h"
#include "command.h"
#include "memory_breakdown.h"
#include "site_rows.h"
#include "teardown_note.h"
#include "units.h"
#include "whole_number.h"

namespace heapdrift::cli {
namespace {

struct ReportOptions {
  std::string path;
  size_t top = 20;
  AnalysisOptions analysis;
};

void print_breakdown(const SnapshotSummary& s, double estimated) {
  MemoryBreakdown b = memory_breakdown(s.counters, s.memory);
  const std::optional<JvmSpaces> jvm = jvm_spaces(s.memory);
  // What the JVM committed for its heap, beside what of it is resident.
  const std::string committed = !jvm || !jvm->counters ? "its committed size unknown: the JVM's counters are off "
                                                         "(-XX:-UsePerfData)"
                                                       : format_bytes(jvm->heap_committed) + " committed";
  const KeyValues& c = s.counters;
  std::printf("\nTotals\n");
  const double samples = value_or_zero(c, "live_samples");
  std::printf("  estimated live heap     %12s  from %.0f live %s\n", format_bytes(estimated).c_str(), samples,
              samples == 1 ? "sample" : "samples");
  if (b.live_heap) {
    std::printf("  live heap               %12s  (%s)\n", format_bytes(*b.live_heap).c_str(),
                b.live_heap_exact ? "exact, counted by the shim" : "the allocator's statistics");
    if (*b.live_heap > 0) {
      std::printf("  share of the live heap the estimate accounts for: %.0f%%\n", 100 * estimated / *b.live_heap);
    }
  } else {
    std::printf("  live heap               %12s  (%s)\n", "unknown",
                b.allocator_left_out_us ? allocator_left_out_reason(*b.allocator_left_out_us).c_str()
                                        : "the allocator gives no figure");
  }
  std::printf("  calls since the shim started: %.0f allocations, %.0f frees\n", value_or_zero(c, "alloc_calls"),
              value_or_zero(c, "free_calls"));
  if (s.memory && s.memory->allocator == "own") {
    std::printf("  (none of the program's own: its malloc is an allocator linked into it, ahead of the shim)\n");
  }
  if (b.live_heap_exact) {
    std::printf("  allocated in all        %12s  freed %s\n", format_bytes(value_or_zero(c, "alloc_bytes")).c_str(),
                format_bytes(value_or_zero(c, "free_bytes")).c_str());
  }
  std::printf("\nWhere RSS goes\n");
  if (b.rss) std::printf("  RSS                     %12s\n", format_bytes(*b.rss).c_str());
  // Without the allocator's figure, the estimate stands in for the live heap.
  const double live_heap = b.live_heap.value_or(estimated);
  std::printf("  live heap               %12s%s\n", format_bytes(live_heap).c_str(),
              b.live_heap ? "" : "  (estimated from the samples)");
  // A JVM's Deflater windows, say, count in the live heap and not in RSS.
  const double held = b.allocator_held.value_or(live_heap);
  const double outside_known = jvm && jvm->heap_resident ? *jvm->heap_resident : 0;
  const double unwritten = allocator_not_resident(b, outside_known);
  if (b.allocator_free) {
    std::printf("  allocator free/fragmented %10s  (%s holds %s", format_bytes(*b.allocator_free).c_str(),
                b.allocator.c_str(), format_bytes(b.allocator_held.value_or(0)).c_str());
    if (b.arenas) std::printf(" in %.0f arenas", *b.arenas);
    if (unwritten >= double(1 << 20)) std::printf(", at least %s of it not resident", format_bytes(unwritten).c_str());
    std::printf(")\n");
  }
  if (b.anonymous) {
    const double other = std::max({0.0, *b.anonymous - held, outside_known});
    std::printf("  other anonymous memory  %12s  (thread stacks, JVM heap and code cache, mmap)\n",
                format_bytes(other).c_str());
    // What of the JVM's committed heap its heap has used: the rest costs no RSS.
    if (jvm && jvm->heap_resident) {
      std::printf("    Java heap, resident   %12s  (the pages the heap has used; %s)\n",
                  format_bytes(*jvm->heap_resident).c_str(), committed.c_str());
    }
    if (s.jit_code_mapped > 0) {
      std::printf("    JIT code, mapped      %12s  (anonymous and executable: a JIT's code, a JVM's code cache)\n",
                  format_bytes(double(s.jit_code_mapped)).c_str());
    }
    if (s.thread_stacks.count > 0) {
      std::printf("    thread stacks, mapped %12s  (%llu besides the main thread's, resident as far as used",
                  format_bytes(double(s.thread_stacks.bytes)).c_str(),
                  static_cast<unsigned long long>(s.thread_stacks.count));
      if (s.memory && s.memory->values.count("process_threads")) {
        std::printf("; %llu threads running, heapdrift's writer among them",
                    static_cast<unsigned long long>(s.memory->values.at("process_threads")));
      }
      std::printf(")\n");
    }
    std::printf("  file-backed and shared  %12s  (code, mapped files, shared memory)\n",
                format_bytes(*b.file_backed).c_str());
    if (jvm && jvm->heap_resident_shared) {
      std::printf("    Java heap, resident   %12s  (ZGC's, shared memory: each view of it as RSS counts it; %s)\n",
                  format_bytes(*jvm->heap_resident_shared).c_str(), committed.c_str());
    }
  }
  if (jvm && jvm->counters) {
    std::printf("\nThe JVM's own counters\n");
    // Committed is what the JVM set aside; only the pages it touched are resident.
    std::printf("  Java heap committed     %12s  updated by the JVM at each GC\n",
                format_bytes(jvm->heap_committed).c_str());
    if (jvm->metaspace_committed > 0) {
      std::printf("  Metaspace committed     %12s  updated by the JVM at each GC\n",
                  format_bytes(jvm->metaspace_committed).c_str());
    } else {
      std::printf("  Metaspace committed     %12s  (counted at the end of each GC: none yet)\n", "");
    }
    std::printf("  threads                 %12.0f\n", jvm->threads);
    std::printf("  classes loaded          %12.0f\n", jvm->classes);
  }
  std::printf("\nheapdrift itself: %s mapped, %.0f samples and %.0f stacks dropped at caps\n",
              format_bytes(value_or_zero(c, "shim_bytes")).c_str(), value_or_zero(c, "dropped_samples"),
              value_or_zero(c, "dropped_stacks"));
}

// A recording's other processes (a JVM that a script started, say), which the report
// of one leaves out: the longest-lived first, by their number of snapshots.
void print_others(const std::vector<ProcessSnapshots>& processes, const ProcessSnapshots& reported) {
  std::vector<const ProcessSnapshots*> order = longest_lived_first(processes);
  std::erase(order, &reported);
  if (order.empty()) return;
  std::printf("\nOther processes in this recording (%zu), the longest-lived first; report each by its directory:\n",
              order.size());
  const size_t shown = std::min<size_t>(order.size(), 5);
  for (size_t i = 0; i < shown; ++i) {
    const auto& files = order[i]->files;
    std::printf("  pid %-8u %4zu %-9s  %s\n", order[i]->pid, files.size(), files.size() == 1 ? "snapshot" : "snapshots",
                files.empty() ? "" : files.back().parent_path().string().c_str());
  }
  if (order.size() > shown) std::printf("  ... %zu more\n", order.size() - shown);
}

int run_report(const ReportOptions& o) {
  const SnapshotSet set = snapshots_of(o.path);
  const ProcessSnapshots& reported = set.subject();
  std::filesystem::path latest = reported.files.back();
  Analysis analysis(o.analysis);
  ProcessHistory h = analysis.load({latest});
  const SnapshotSummary& s = h.snapshots.front();

  double total = 0;
  auto rows = site_rows<LiveTotals>(
      h.sites, analysis.frames(), [](const SiteHistory& site) -> const auto& { return site.frames; },
      [&](LiveTotals& row, const SiteHistory& site) {
        LiveTotals live = live_at(site, 0);
        row.bytes += live.bytes;
        row.variance += live.variance;
        row.samples += live.samples;
        total += live.bytes;
      });
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.totals.bytes > b.totals.bytes; });

  const double age_s = double(s.process.mono_ns - s.process.start_mono_ns) / 1e9;
  std::printf("%s: process %u (%s), %s after start, sampling %s\n", latest.string().c_str(), h.pid,
              format_command(h.command).c_str(), format_seconds(age_s).c_str(),
              h.sample_rate == 1 ? "every allocation" : ("every " + format_bytes(double(h.sample_rate))).c_str());
  if (h.frame_pointers_only) std::printf("\n%s", fold_text(kFramePointersOnlyNote, "note: ", "      ").c_str());
  std::printf("\nLive heap by allocation site\n");
  std::printf("  %12s %12s %6s %8s  %s\n", "live", "+/- 2 sd", "share", "samples", "site");
  size_t shown = 0;
  for (const auto& r : rows) {
    if (shown++ == o.top) {
      std::printf("  ... %zu more sites (--top)\n", rows.size() - o.top);
      break;
    }
    std::printf("  %12s %12s %5.1f%% %8.0f  %s%s\n", format_bytes(r.totals.bytes).c_str(),
                format_bytes(2 * std::sqrt(r.totals.variance)).c_str(), total > 0 ? 100 * r.totals.bytes / total : 0.0,
                r.totals.samples, r.name.c_str(), r.call_paths().c_str());
  }
  std::printf("%s", row_notes(rows, o.top).c_str());
  print_breakdown(s, total);
  if (std::string note = teardown_note(reported.files, s.process, total); !note.empty()) {
    std::printf("\n%s", fold_text("Note: " + note + ".", "", "").c_str());
  }
  print_others(set.children, reported);
  if (std::fflush(stdout) != 0) throw std::runtime_error("cannot write to stdout");
  return 0;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Live heap by allocation site, and where RSS goes");
  cmd->add_option("SNAPSHOT|DIR", o->path, "A snapshot, or a recording (its main process's latest snapshot)")
      ->required();
  cmd->add_option("--top", o->top, "Show at most N sites")->type_name("N")->check(whole_number(1));
  o->analysis.add_to(*cmd);
  return {cmd, [o] { return run_report(*o); }};
}

}  // namespace heapdrift::cli
