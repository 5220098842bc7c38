// `heapdrift leaks DIR [--json] [--top N] [--fail-on-leak]`: the allocation sites whose
// live bytes keep growing, strongest evidence first (docs/LEAK_RANKING.md).
#include <cstdio>
#include <limits>
#include <memory>

#include "analysis_options.h"
#include "caller_leaks.h"
#include "command.h"
#include "leak_finder.h"
#include "leaks_output.h"
#include "whole_number.h"

namespace heapdrift::cli {
namespace {

struct LeaksOptions {
  std::string path;
  bool json = false;
  size_t top = 10;
  bool top_set = false;
  bool fail_on_leak = false;
  AnalysisOptions analysis;
};

int run_leaks(const LeaksOptions& o) {
  Analysis analysis(o.analysis);
  std::vector<ProcessLeaks> processes;
  SnapshotSet set = snapshots_of(o.path);
  auto judge = [&](const ProcessSnapshots& p) {
    if (!p.files.empty()) {
      ProcessHistory history = analysis.load(p.files);
      // The JIT code the symbolizer read from the process's jit.log, not read again.
      const auto* code = analysis.symbolizer().jit_code(history.snapshots.front().process);
      ProcessLeaks leaks = find_leaks(std::move(history), LeakCriteria{}, code);
      find_caller_leaks(leaks, analysis.frames(), LeakCriteria{});
      return leaks;
    }
    ProcessLeaks nothing;  // a main process that wrote no snapshot (it exec'd, or _exit'ed early)
    nothing.history.pid = p.pid;
    nothing.history.command = p.command;
    nothing.detection_floor = std::numeric_limits<double>::infinity();
    return nothing;
  };
  processes.push_back(judge(set.main));
  for (const ProcessSnapshots& child : set.children) processes.push_back(judge(child));
  bool found = false;
  for (const ProcessLeaks& p : processes) {
    found |= !p.suspects.empty() || !p.caller_leaks.empty() || !p.code_growth.empty();
  }
  if (o.json) {
    const nlohmann::ordered_json j = leaks_json(processes, analysis.frames(), o.top_set ? o.top : SIZE_MAX);
    // A path or a name need not be UTF-8, which JSON must be: bad bytes become U+FFFD.
    std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(stdout, "%s\n", text.c_str());
  } else {
    print_leaks(stdout, processes, analysis.frames(), o.top);
  }
  if (std::fflush(stdout) != 0) throw std::runtime_error("cannot write to stdout");
  return found && o.fail_on_leak ? 3 : 0;
}

}  // namespace

Command add_leaks_command(CLI::App& app) {
  auto o = std::make_shared<LeaksOptions>();
  CLI::App* cmd = app.add_subcommand("leaks", "Rank allocation sites whose live bytes keep growing");
  cmd->add_option("DIR", o->path, "A recording directory (or one process's directory)")->required();
  cmd->add_flag("--json", o->json, "Machine-readable output");
  cmd->add_option("--top", o->top, "Show at most N suspects per process")
      ->type_name("N")->check(whole_number(1))
      ->each([o](const std::string&) { o->top_set = true; });
  cmd->add_flag("--fail-on-leak", o->fail_on_leak,
                "Exit with status 3 when a suspect, a leaking caller or compiled code that keeps growing is reported");
  o->analysis.add_to(*cmd);
  return {cmd, [o] { return run_leaks(*o); }};
}

}  // namespace heapdrift::cli
