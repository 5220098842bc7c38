#include "analysis_options.h"

#include <cstdio>
#include <regex>
#include <stdexcept>

#include "command.h"
#include "recording.h"

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
  app.add_option("--depth", depth, "Group allocation sites by their innermost N frames")->type_name("N");
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

std::vector<std::vector<std::filesystem::path>> snapshots_of(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error(path.string() + ": no such file or directory");
  if (!fs::is_directory(path, ec)) return {{path}};
  auto paths = [](const std::vector<SnapshotFile>& files) {
    std::vector<fs::path> out;
    for (const SnapshotFile& f : files) out.push_back(f.path);
    return out;
  };
  if (auto own = list_snapshots(path); !own.empty()) return {paths(own)};
  Recording r = read_recording(path);
  std::vector<std::vector<fs::path>> out;
  if (const ProcessRecording* main = r.main_process(); main && !main->snapshots.empty()) out.push_back(paths(main->snapshots));
  for (const ProcessRecording& p : r.processes) {
    if (r.main_pid && p.pid == *r.main_pid) continue;
    if (!p.snapshots.empty()) out.push_back(paths(p.snapshots));
  }
  if (out.empty()) throw std::runtime_error(path.string() + ": no snapshots in this recording");
  return out;
}

}  // namespace heapdrift::cli
