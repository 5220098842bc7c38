// Options shared by the analysis subcommands (leaks, diff, report, flamegraph): where
// debug info is, which frames are allocator frames, how deep a site is; and how they
// find the snapshots a command line names.
#ifndef HEAPDRIFT_ANALYZER_CLI_ANALYSIS_OPTIONS_H
#define HEAPDRIFT_ANALYZER_CLI_ANALYSIS_OPTIONS_H

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "allocator_frames.h"
#include "frame.h"
#include "process_history.h"
#include "stack_symbolizer.h"

namespace heapdrift::cli {

struct AnalysisOptions {
  std::vector<std::string> debug_dirs;
  std::string sysroot;
  bool no_debuginfod = false;
  std::vector<std::string> ignore;
  unsigned depth = 0;

  void add_to(CLI::App& app);
};

// Everything an analysis needs, built from the options (bad --ignore patterns are a
// usage error). Symbolizer warnings are printed on stderr when it is destroyed.
class Analysis {
 public:
  explicit Analysis(const AnalysisOptions& options);
  ~Analysis();

  ProcessHistory load(const std::vector<std::filesystem::path>& snapshots);
  const FrameTable& frames() const { return frames_; }
  // For commands that walk a snapshot's stacks themselves (export), or use the JIT
  // code it read (leaks).
  StackSymbolizer& symbolizer() { return symbolizer_; }
  const SiteOptions& site_options() const { return site_options_; }

 private:
  FrameTable frames_;
  AllocatorFrames allocator_frames_;
  StackSymbolizer symbolizer_;
  SiteOptions site_options_;
};

// The snapshot files that PATH names, by process: PATH is a recording directory, one
// process's directory, or a single snapshot file.
struct ProcessSnapshots {
  uint32_t pid = 0;
  std::string command;  // from recording.json, for a main process that wrote nothing
  std::vector<std::filesystem::path> files;  // oldest first; empty if it wrote none
};
struct SnapshotSet {
  ProcessSnapshots main;
  std::vector<ProcessSnapshots> children;

  // The process that a command of one process (report, flamegraph, export) reads: the
  // main process, or, when it wrote no snapshot (a script that ran the program and
  // ended through _exit, as dash does), the one other process that did, which a note
  // on stderr names. Throws std::runtime_error naming the candidates when there are
  // several.
  const ProcessSnapshots& subject() const;
  // For the commands that list no other process (flamegraph, export): a note on stderr
  // when the snapshot read of `subject` held no sampled block and other processes wrote
  // snapshots (a bash script's recording, its JVM a child).
  void note_when_empty(const ProcessSnapshots& subject, bool held_samples) const;
};
// `processes`, those with the most snapshots (the longest-lived) first.
std::vector<const ProcessSnapshots*> longest_lived_first(const std::vector<ProcessSnapshots>& processes);
// Throws std::runtime_error when PATH holds no snapshot at all.
SnapshotSet snapshots_of(const std::filesystem::path& path);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_ANALYSIS_OPTIONS_H
