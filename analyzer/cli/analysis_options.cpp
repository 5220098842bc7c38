#include "analysis_options.h"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <stdexcept>

#include "command.h"
#include "recording.h"
#include "whole_number.h"

namespace heapdrift::cli {
namespace {

AllocatorFrames make_allocator_frames(const std::vector<std::string>& ignore) {
  try {
    return AllocatorFrames(ignore);
  } catch (const std::regex_error& e) {
    throw UsageError(std::string("--ignore: not a valid regular expression: ") + e.what());
  }
}

symbolizer::Options symbolizer_options(const AnalysisOptions& o) {
  symbolizer::Options s;
  s.debug_dirs = o.debug_dirs;
  s.sysroot = o.sysroot;
  s.debuginfod = !o.no_debuginfod;
  return s;
}

}  // namespace

void AnalysisOptions::add_to(CLI::App& app) {
  app.add_option("--debug-dir", debug_dirs, "Also look for debug info here (laid out like /usr/lib/debug)")
      ->type_name("DIR");
  app.add_option("--sysroot", sysroot, "The target's files are under DIR (analysis on another machine)")
      ->type_name("DIR");
  app.add_flag("--no-debuginfod", no_debuginfod, "Never ask debuginfod servers, even with DEBUGINFOD_URLS set");
  app.add_option("--ignore", ignore, "Also treat functions matching REGEX as allocator frames")->type_name("REGEX");
  app.add_option("--depth", depth, "Group allocation sites by their innermost N frames (0: all)")
      ->type_name("N")
      ->check(whole_number(0));
}

Analysis::Analysis(const AnalysisOptions& options)
    : allocator_frames_(make_allocator_frames(options.ignore)),
      symbolizer_(symbolizer_options(options), frames_),
      site_options_{&allocator_frames_, options.depth} {}

Analysis::~Analysis() {
  for (const std::string& w : symbolizer_.warnings()) std::fprintf(stderr, "heapdrift: warning: %s\n", w.c_str());
}

ProcessHistory Analysis::load(const std::vector<std::filesystem::path>& snapshots) {
  return load_history(snapshots, symbolizer_, site_options_);
}

namespace {

// "DIR (N snapshots), …": the first three of `order`, and how many more.
std::string directories_of(const std::vector<const ProcessSnapshots*>& order) {
  std::string out;
  const size_t named = std::min<size_t>(order.size(), 3);
  for (size_t i = 0; i < named; ++i) {
    const size_t n = order[i]->files.size();
    out += (i ? ", " : "") + order[i]->files.back().parent_path().string() + " (" + std::to_string(n) +
           (n == 1 ? " snapshot)" : " snapshots)");
  }
  if (order.size() > named) out += ", and " + std::to_string(order.size() - named) + " more";
  return out;
}

}  // namespace

void SnapshotSet::note_when_empty(const ProcessSnapshots& subject, bool held_samples) const {
  if (held_samples) return;
  std::vector<ProcessSnapshots> others;
  if (&main != &subject && !main.files.empty()) others.push_back(main);
  for (const ProcessSnapshots& p : children) {
    if (&p != &subject && !p.files.empty()) others.push_back(p);
  }
  if (others.empty()) return;
  std::fprintf(stderr, "heapdrift: note: %s holds no sampled block; the other processes of this recording, the "
               "longest-lived first (name one's directory): %s\n",
               subject.files.back().string().c_str(), directories_of(longest_lived_first(others)).c_str());
}

const ProcessSnapshots& SnapshotSet::subject() const {
  if (!main.files.empty()) return main;
  const std::string none = "the main process (pid " + std::to_string(main.pid) + ") wrote no snapshot";
  if (children.size() == 1) {
    std::fprintf(stderr, "heapdrift: note: %s; this is pid %u's, the one other process that wrote any\n",
                 none.c_str(), children[0].pid);
    return children[0];
  }
  std::vector<const ProcessSnapshots*> order = longest_lived_first(children);
  const std::string candidates = directories_of(order);
  throw std::runtime_error(none + "; name one of the " + std::to_string(order.size()) +
                           " processes that did by its directory: " + candidates);
}

std::vector<const ProcessSnapshots*> longest_lived_first(const std::vector<ProcessSnapshots>& processes) {
  std::vector<const ProcessSnapshots*> order;
  for (const ProcessSnapshots& p : processes) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->files.size() > b->files.size(); });
  return order;
}

SnapshotSet snapshots_of(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error(path.string() + ": no such file or directory");
  SnapshotSet set;
  if (!fs::is_directory(path, ec)) {
    set.main.files = {path};
    return set;
  }
  auto files = [](const std::vector<SnapshotFile>& snapshots) {
    std::vector<fs::path> out;
    for (const SnapshotFile& f : snapshots) out.push_back(f.path);
    return out;
  };
  if (auto own = list_snapshots(path); !own.empty()) {
    set.main.files = files(own);
    return set;
  }
  Recording r = read_recording(path);
  bool any = false;
  if (r.main_pid) set.main.pid = *r.main_pid;
  if (r.info) {
    for (const std::string& a : r.info->command) set.main.command += (set.main.command.empty() ? "" : " ") + a;
  }
  for (const ProcessRecording& p : r.processes) {
    any |= !p.snapshots.empty();
    if (r.main_pid && p.pid == *r.main_pid) set.main.files = files(p.snapshots);
    else if (!p.snapshots.empty()) set.children.push_back({p.pid, "", files(p.snapshots)});
  }
  if (!any) throw std::runtime_error(path.string() + ": no snapshots in this recording");
  return set;
}

}  // namespace heapdrift::cli
