// `heapdrift flamegraph SNAPSHOT|DIR [--diff] -o FILE.svg`: the live heap as an
// interactive flamegraph; with --diff, coloured by the change from the first to the
// last snapshot of the recording's main process.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "analysis_options.h"
#include "command.h"
#include "flamegraph_svg.h"
#include "output_file.h"
#include "teardown_note.h"
#include "units.h"

namespace heapdrift::cli {
namespace {

struct FlamegraphOptions {
  std::string path;
  std::string output;
  bool diff = false;
  AnalysisOptions analysis;
};

FlameFrame flame_frame(const Frame& f) {
  std::string detail = source_location(f);
  if (!f.module.empty()) detail += (detail.empty() ? "(" : " (") + module_name(f) + ")";
  if (f.inlined) detail += " inlined";
  return {f.function, f.kind, detail};
}

int run_flamegraph(const FlamegraphOptions& o) {
  SnapshotSet set = snapshots_of(o.path);
  const ProcessSnapshots& subject = set.subject();
  const auto& files = subject.files;
  if (o.diff && files.size() < 2) throw UsageError("--diff needs a recording with at least two snapshots");
  Analysis analysis(o.analysis);
  ProcessHistory h = o.diff ? analysis.load({files.front(), files.back()}) : analysis.load({files.back()});
  const uint32_t last = uint32_t(h.snapshots.size() - 1);

  FlameProfile profile;
  std::vector<uint32_t> index_of(analysis.frames().size(), UINT32_MAX);  // FrameId → profile.frames
  profile.stacks.reserve(h.sites.size());
  for (const SiteHistory& site : h.sites) {
    FlameStack& s = profile.stacks.emplace_back();
    s.frames.reserve(site.frames.size());
    for (auto it = site.frames.rbegin(); it != site.frames.rend(); ++it) {
      uint32_t& index = index_of[it->value];
      if (index == UINT32_MAX) {
        index = static_cast<uint32_t>(profile.frames.size());
        profile.frames.push_back(flame_frame(analysis.frames()[*it]));
      }
      s.frames.push_back(index);
    }
    LiveTotals now = live_at(site, last);
    s.bytes = now.bytes, s.count = now.samples;
    if (o.diff) {
      LiveTotals then = live_at(site, 0);
      s.baseline_bytes = then.bytes, s.baseline_count = then.samples;
    }
  }
  FlameOptions options;
  options.diff = o.diff;
  options.title = (o.diff ? "Live heap growth: " : "Live heap: ") + format_command(h.command) + " (pid " +
                  std::to_string(h.pid) + ")";
  const ProcessInfo& p = h.snapshots.back().process;
  options.subtitle = h.snapshots.back().path.filename().string() + ", " +
                     format_seconds(double(p.mono_ns - p.start_mono_ns) / 1e9) + " after start";
  if (o.diff) {
    const ProcessInfo& f = h.snapshots.front().process;
    options.subtitle = "from " + h.snapshots.front().path.filename().string() + " (" +
                       format_seconds(double(f.mono_ns - f.start_mono_ns) / 1e9) + ") to " + options.subtitle;
  }
  write_file_atomically(o.output, render_flamegraph_svg(profile, options));
  double shown = 0, samples = 0;
  for (const FlameStack& s : profile.stacks) shown += s.bytes, samples += s.count;
  set.note_when_empty(subject, samples > 0);
  if (std::string note = teardown_note(files, p, shown); !note.empty()) {
    std::fprintf(stderr, "heapdrift: note: %s\n", note.c_str());
  }
  return 0;
}

}  // namespace

Command add_flamegraph_command(CLI::App& app) {
  auto o = std::make_shared<FlamegraphOptions>();
  CLI::App* cmd = app.add_subcommand("flamegraph", "Draw the live heap as an interactive SVG flamegraph");
  cmd->add_option("SNAPSHOT|DIR", o->path, "A snapshot, or a recording (its main process's latest snapshot)")
      ->required();
  cmd->add_option("-o,--output", o->output, "The SVG file to write")->type_name("FILE.svg")->required();
  cmd->add_flag("--diff", o->diff, "Colour the growth between the first and the last snapshot");
  o->analysis.add_to(*cmd);
  return {cmd, [o] { return run_flamegraph(*o); }};
}

}  // namespace heapdrift::cli
