// `heapdrift record [-o DIR] [--sample-rate SIZE] [--interval DURATION]
//  [--max-snapshots N] [--max-depth N] -- CMD [ARGS...]`: runs CMD with the shim
// preloaded (and, for every JVM it starts, the JIT-symbol recorder and frame pointers)
// and exits with CMD's status. Everything that can be wrong with the
// command line is checked before CMD is forked, so a bad option runs nothing and
// creates nothing.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "child_process.h"
#include "command.h"
#include "clock.h"
#include "config.h"
#include "java_launch.h"
#include "node_launch.h"
#include "preload_library.h"
#include "preload_reach.h"
#include "python_launch.h"
#include "recording.h"
#include "recording_info.h"
#include "snapshot_format.h"

namespace heapdrift::cli {
namespace {
namespace fs = std::filesystem;

using EnvList = std::vector<std::pair<std::string, std::string>>;

struct RecordOptions {
  std::string output;
  std::string sample_rate, interval, max_snapshots, max_depth;
  std::vector<std::string> command;
  std::vector<std::string> extras;
};

[[noreturn]] void bad_option(const char* option, const std::string& value, const char* expected) {
  throw UsageError(std::string(option) + " '" + value + "': expected " + expected);
}

// Turns the options into the HEAPDRIFT_* variables the shim reads (only those given).
EnvList shim_variables(const RecordOptions& o) {
  EnvList env;
  uint64_t n;
  if (!o.sample_rate.empty()) {
    if (!parse_size(o.sample_rate.c_str(), &n)) {
      bad_option("--sample-rate", o.sample_rate, "1 or a byte count such as 4096, 64K, 512KiB, 1M");
    }
    env.emplace_back(kEnvSampleRate, std::to_string(n));
  }
  if (!o.interval.empty()) {
    if (!parse_duration_ms(o.interval.c_str(), &n)) {
      bad_option("--interval", o.interval, "a duration such as 500ms, 2s, 5m, or 0 for on demand only");
    }
    env.emplace_back(kEnvInterval, std::to_string(n) + "ms");
  }
  if (!o.max_snapshots.empty()) {
    if (!parse_uint(o.max_snapshots.c_str(), UINT32_MAX, &n) || (n != 0 && n < 3)) {
      bad_option("--max-snapshots", o.max_snapshots, "0 (keep all) or a count of at least 3");
    }
    env.emplace_back(kEnvMaxSnapshots, std::to_string(n));
  }
  if (!o.max_depth.empty()) {
    if (!parse_uint(o.max_depth.c_str(), kMaxMaxDepth, &n) || n == 0) {
      bad_option("--max-depth", o.max_depth, "a frame count from 1 to 256");
    }
    env.emplace_back(kEnvMaxDepth, std::to_string(n));
  }
  return env;
}

// The shim's own parser has the last word on the environment CMD will see (the
// options above plus any HEAPDRIFT_* already set): what it would reject, we reject
// now rather than let CMD run unprofiled. Returns the settings for recording.json.
Config check_shim_config(const EnvList& env) {
  struct Lookup {
    const EnvList* env;
    static const char* get(const char* name, void* self) {
      if (std::string_view(name) == kEnvOutput) return nullptr;  // we set it, later
      for (const auto& [k, v] : *static_cast<Lookup*>(self)->env) {
        if (k == name) return v.c_str();
      }
      return std::getenv(name);
    }
  } lookup{&env};
  Config config;
  char error[512];
  if (!load_config(&Lookup::get, &lookup, &config, error, sizeof(error))) throw UsageError(error);
  return config;
}

// The closing line, after why there is no snapshot when there is none. A process the
// shim ran in has its directory, even when it wrote no snapshot (killed at once, say);
// one without it never started the shim (or the shim could not create it, and said so).
// Processes that the command started (a script's programs) are counted too.
void print_summary(const std::string& shown_dir, const fs::path& dir, pid_t pid) {
  std::optional<size_t> snapshots;  // none: no directory for pid
  size_t others = 0, their_snapshots = 0;
  try {
    for (const ProcessRecording& p : read_recording(dir).processes) {
      if (p.pid == uint32_t(pid)) {
        snapshots = p.snapshots.size();
      } else if (!p.snapshots.empty()) {
        ++others;
        their_snapshots += p.snapshots.size();
      }
    }
  } catch (const RecordingError&) {  // unreadable: none to speak of
  }
  std::string from_others;
  if (others) {
    from_others = ", " + std::to_string(their_snapshots) + " from " + std::to_string(others) +
                  (others == 1 ? " other process" : " other processes");
  }
  if (!snapshots) {
    std::fprintf(stderr, "heapdrift: recording in %s (nothing from pid %d: the shim did not start in it%s)\n",
                 shown_dir.c_str(), static_cast<int>(pid), from_others.c_str());
    return;
  }
  if (*snapshots == 0) {
    // The shim's own line at exit, when there is one, says which of these it was.
    std::fprintf(stderr,
                 "heapdrift: pid %d left no snapshot: either it ended before its first periodic snapshot without "
                 "writing one at exit (killed, or exited through _exit, as Go programs and dash do): a shorter "
                 "--interval takes them sooner; or it could not write them (a full disk, say): the shim said so "
                 "at its exit\n",
                 static_cast<int>(pid));
  }
  std::fprintf(stderr, "heapdrift: recording in %s (%zu %s from pid %d%s)\n", shown_dir.c_str(), *snapshots,
               *snapshots == 1 ? "snapshot" : "snapshots", static_cast<int>(pid), from_others.c_str());
}

int run_record(const RecordOptions& o) {
  for (const std::string& extra : o.extras) {
    if (extra != "--") throw UsageError("record: unknown option '" + extra + "'");
  }
  EnvList env = shim_variables(o);
  const Config config = check_shim_config(env);
  const fs::path library = find_library("libheapdrift.so");
  // Any JVM the command starts, itself or through a launcher script, a build tool or a
  // JDK tool such as javac, gets the recorder: we cannot tell which commands will.
  fs::path agent;
  try {
    agent = find_library("libheapdrift_jvmti.so");
  } catch (const std::runtime_error& e) {  // built without a JDK: native frames only
    if (is_java_command(o.command.front())) {
      std::fprintf(stderr, "heapdrift: warning: %s; Java frames will stay unnamed\n", e.what());
    }
  }
  const char* jdk_java_options = std::getenv("JDK_JAVA_OPTIONS");
  if (auto where = frame_pointers_turned_off(o.command, jdk_java_options, std::getenv("_JAVA_OPTIONS"))) {
    std::fprintf(stderr,
                 "heapdrift: warning: -XX:-PreserveFramePointer in %s overrides the -XX:+PreserveFramePointer that "
                 "record adds: the shim's stacks will stop at Java frames, and sites lose their Java callers\n",
                 where->c_str());
  }
  if (node_without_perf_map(o.command, std::getenv("NODE_OPTIONS"))) {
    std::fprintf(stderr,
                 "heapdrift: note: without --perf-basic-prof, node writes no perf map: its JavaScript frames will "
                 "stay unnamed (heapdrift record -- node --perf-basic-prof ...)\n");
  }
  if (python_without_perf_map(o.command, std::getenv("PYTHONPERFSUPPORT"))) {
    std::fprintf(stderr,
                 "heapdrift: note: without -X perf, python (3.12 or later) writes no perf map: its Python functions "
                 "will stay unnamed (heapdrift record -- python -X perf ...)\n");
  }
  const char* python_malloc = std::getenv("PYTHONMALLOC");
  if (python_malloc && is_python_command(o.command.front()) && !std::string(python_malloc).starts_with("malloc")) {
    std::fprintf(stderr,
                 "heapdrift: note: PYTHONMALLOC=%s: python keeps its objects of 512 bytes or less outside malloc, "
                 "where heapdrift does not see them (heapdrift sets PYTHONMALLOC=malloc when it is not set)\n",
                 python_malloc);
  }
  if (std::optional<std::string> why = why_preload_cannot_reach(o.command.front())) {
    std::fprintf(stderr,
                 "heapdrift: warning: %s %s: nothing will be recorded for it, only for dynamically linked "
                 "programs it starts\n",
                 o.command.front().c_str(), why->c_str());
  }
  const uint64_t start_wall_ns = clock_ns(CLOCK_REALTIME);

  PausedChild child(o.command);
  const std::string shown_dir = o.output.empty() ? "heapdrift." + std::to_string(child.pid()) : o.output;
  const fs::path dir = fs::absolute(shown_dir).lexically_normal();
  bool created = false, held_a_recording = false;
  try {
    std::error_code ec;
    held_a_recording = fs::exists(dir / format::kRecordingFile, ec);
    created = fs::create_directories(dir, ec);
    if (ec) throw RecordingError(shown_dir + ": cannot create the directory: " + ec.message());
    write_recording_info(dir, {1, static_cast<uint32_t>(child.pid()), o.command, start_wall_ns,
                               config.sample_rate, config.interval_ms});
  } catch (...) {
    child.cancel();
    throw;
  }

  const char* previous = std::getenv("LD_PRELOAD");
  env.emplace_back("LD_PRELOAD", prepend_preload(library, previous ? previous : ""));
  const char* options = std::getenv("JAVA_TOOL_OPTIONS");
  env.emplace_back("JAVA_TOOL_OPTIONS", java_tool_options(options ? options : "", agent));
  if (!python_malloc) env.emplace_back("PYTHONMALLOC", "malloc");  // python_launch.h
  env.emplace_back(kEnvOutput, dir.string());
  if (!child.start(env)) {
    // Nothing ran: take back what we created rather than leave an empty recording.
    if (created) {
      std::error_code ec;
      fs::remove(dir / format::kRecordingFile, ec);
      fs::remove(dir, ec);
    }
    return child.wait();
  }
  int status = child.wait();
  if (held_a_recording) {
    // read_recording() leaves out the processes that started before this run.
    std::fprintf(stderr,
                 "heapdrift: note: %s held an earlier recording: its processes' directories stay there, left out of "
                 "this one's analysis\n",
                 shown_dir.c_str());
  }
  print_summary(shown_dir, dir, child.pid());
  return status;
}

}  // namespace

Command add_record_command(CLI::App& app) {
  auto o = std::make_shared<RecordOptions>();
  CLI::App* cmd = app.add_subcommand("record", "Run CMD with the heapdrift shim preloaded");
  cmd->add_option("-o,--output", o->output, "Recording directory (default heapdrift.<pid>)")->type_name("DIR");
  cmd->add_option("--sample-rate", o->sample_rate, "Mean bytes between samples; 1 = every allocation (default 512KiB)")
      ->type_name("SIZE");
  cmd->add_option("--interval", o->interval, "Time between snapshots; 0 = on demand only (default 60s)")
      ->type_name("DURATION");
  cmd->add_option("--max-snapshots", o->max_snapshots, "Keep at most N snapshots, thinning the middle (default 0 = all)")
      ->type_name("N");
  cmd->add_option("--max-depth", o->max_depth, "Frames kept per stack, 1-256 (default 64)")->type_name("N");
  cmd->add_option("CMD", o->command, "The command to run and its arguments, after --")
      ->type_name("")
      ->required();
  // Everything from CMD on belongs to CMD, even what looks like an option.
  cmd->positionals_at_end();
  // Unknown options are collected and reported by run_record, in one clear line.
  cmd->allow_extras();
  return {cmd, [o, cmd] {
            o->extras = cmd->remaining();
            return run_record(*o);
          },
          false};
}

}  // namespace heapdrift::cli
