// `heapdrift export SNAPSHOT --format folded|pprof|jeprof -o FILE`: one snapshot's live
// heap (the latest of a recording's main process) in an interchange format
// (docs/EXPORT.md).
#include <filesystem>
#include <memory>

#include "analysis_options.h"
#include "command.h"
#include "export_profile.h"
#include "folded_export.h"
#include "jeprof_export.h"
#include "output_file.h"
#include "pprof_export.h"
#include "snapshot_reader.h"

namespace heapdrift::cli {
namespace {

struct ExportOptions {
  std::string path;
  std::string format;
  std::string output;
  AnalysisOptions analysis;
};

int run_export(const ExportOptions& o) {
  const SnapshotSet set = snapshots_of(o.path);
  const ProcessSnapshots& subject = set.subject();
  std::filesystem::path latest = subject.files.back();
  Analysis analysis(o.analysis);
  Snapshot snapshot = read_snapshot(latest);
  set.note_when_empty(subject, !snapshot.samples.empty());
  analysis.symbolizer().use_jit_code(snapshot, latest.parent_path());
  ExportProfile profile = build_export_profile(snapshot, analysis.symbolizer(), analysis.site_options());
  std::string contents = o.format == "pprof"    ? gzip(pprof_profile(profile, analysis.frames()))
                         : o.format == "jeprof" ? jeprof_heap_profile(profile)
                                                : folded_stacks(profile, analysis.frames());
  write_file_atomically(o.output, contents);
  return 0;
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Write a snapshot's live heap as folded stacks, pprof or jeprof input");
  cmd->add_option("SNAPSHOT", o->path,
                  "A snapshot or jemalloc heap profile, or a recording (its main process's latest snapshot)")
      ->required();
  cmd->add_option("--format", o->format, "folded (flamegraph.pl, speedscope), pprof (gzipped protobuf), jeprof")
      ->check(CLI::IsMember({"folded", "pprof", "jeprof"}))
      ->type_name("FORMAT")
      ->required();
  cmd->add_option("-o,--output", o->output, "The file to write")->type_name("FILE")->required();
  o->analysis.add_to(*cmd);
  return {cmd, [o] { return run_export(*o); }};
}

}  // namespace heapdrift::cli
