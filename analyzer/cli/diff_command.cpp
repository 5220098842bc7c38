// `heapdrift diff EARLY LATE [--json]`: growth, shrink, new and gone per allocation
// site between two snapshots, with the sampling error of each change.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "analysis_options.h"
#include "command.h"
#include "leaks_output.h"
#include "site_diff.h"
#include "site_rows.h"
#include "snapshot_reader.h"
#include "units.h"
#include "whole_number.h"

namespace heapdrift::cli {
namespace {

struct DiffOptions {
  std::string early, late;
  bool json = false;
  size_t top = 20;
  AnalysisOptions analysis;
};

// How the two files relate. Snapshots of one process image share the samples alive in
// both, in whichever order they are given (or one snapshot twice: no change at all).
enum class Relation { kOneProcess, kOnePidTwice, kTwoProcesses };

int run_diff(const DiffOptions& o) {
  Analysis analysis(o.analysis);
  const ProcessInfo early = read_process(o.early);
  const ProcessInfo late = read_process(o.late);
  const Relation relation = early.pid != late.pid                       ? Relation::kTwoProcesses
                            : early.start_mono_ns != late.start_mono_ns ? Relation::kOnePidTwice
                                                                        : Relation::kOneProcess;
  std::vector<SiteChange> changes;
  if (relation != Relation::kOneProcess) {
    changes = diff_sites(analysis.load({o.early}), analysis.load({o.late}), analysis.frames());
  } else if (early.mono_ns < late.mono_ns) {
    changes = diff_sites(analysis.load({o.early, o.late}));
  } else if (early.mono_ns > late.mono_ns) {
    changes = reversed(diff_sites(analysis.load({o.late, o.early})));
  } else {
    changes = diff_sites(analysis.load({o.early}));
  }
  const bool one_process = relation == Relation::kOneProcess;

  if (o.json) {
    nlohmann::ordered_json sites = nlohmann::ordered_json::array();
    for (const SiteChange& c : changes) {
      nlohmann::ordered_json frames = nlohmann::ordered_json::array();
      for (FrameId id : c.frames) frames.push_back(frame_json(analysis.frames()[id]));
      sites.push_back({{"status", status_name(c.status)},
                       {"change_bytes", std::llround(c.change)},
                       {"change_stddev_bytes", std::sqrt(c.change_variance)},
                       {"early_bytes", std::llround(c.early)},
                       {"late_bytes", std::llround(c.late)},
                       {"frames", frames}});
    }
    nlohmann::ordered_json j = {{"early", o.early}, {"late", o.late}, {"same_process", one_process}, {"sites", sites}};
    std::fprintf(stdout, "%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fprintf(stdout, "%s -> %s%s\n", o.early.c_str(), o.late.c_str(),
                 one_process                            ? " (one process: shared samples cancel)"
                 : relation == Relation::kOnePidTwice ? " (one pid, no samples in common)"
                                                      : " (two processes)");
    auto rows = site_rows<SiteChange>(
        changes, analysis.frames(), [](const SiteChange& c) -> const auto& { return c.frames; },
        [](SiteChange& row, const SiteChange& c) {
          row.early += c.early;
          row.late += c.late;
          row.change += c.change;
          row.change_variance += c.change_variance;
        });
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return std::fabs(a.totals.change) > std::fabs(b.totals.change);
    });
    std::fprintf(stdout, "  %12s %12s  %25s  %-6s  %s\n", "change", "+/- 2 sd", "early -> late", "status", "site");
    size_t shown = 0;
    for (const auto& r : rows) {
      if (shown++ == o.top) {
        std::fprintf(stdout, "  ... %zu more (--top)\n", rows.size() - o.top);
        break;
      }
      const SiteChange& c = r.totals;
      std::string change = (c.change > 0 ? "+" : "") + format_bytes(c.change);
      std::string span = format_bytes(c.early) + " -> " + format_bytes(c.late);
      std::fprintf(stdout, "  %12s %12s  %25s  %-6s  %s%s\n", change.c_str(),
                   format_bytes(2 * std::sqrt(c.change_variance)).c_str(), span.c_str(),
                   std::string(status_name(status_of(c.early, c.late))).c_str(), r.name.c_str(),
                   r.call_paths().c_str());
    }
    std::fprintf(stdout, "%s", row_notes(rows, o.top).c_str());
  }
  if (std::fflush(stdout) != 0) throw std::runtime_error("cannot write to stdout");
  return 0;
}

}  // namespace

Command add_diff_command(CLI::App& app) {
  auto o = std::make_shared<DiffOptions>();
  CLI::App* cmd = app.add_subcommand("diff", "Compare the live heap of two snapshots, site by site");
  cmd->add_option("EARLY", o->early, "The earlier snapshot")->required();
  cmd->add_option("LATE", o->late, "The later snapshot")->required();
  cmd->add_flag("--json", o->json, "Machine-readable output");
  cmd->add_option("--top", o->top, "Show at most N sites (text)")->type_name("N")->check(whole_number(1));
  o->analysis.add_to(*cmd);
  return {cmd, [o] { return run_diff(*o); }};
}

}  // namespace heapdrift::cli
