// The agent's cost: JVM runs with and without -agentpath:libheapdrift_jvmti.so,
// interleaved (without, with, with, without, ...) so that drifts of a shared machine
// hit both sides alike. Reports the median wall and CPU (user + sys of the JVM) time
// per workload, and what the agent wrote. Fails only if the agent's runs fail or cost
// more than kMaxOverhead of CPU: a regression such as a per-event fsync or a lock
// taken on a hot path would show there.
//
// Usage: perfmap_agent_cost [ROUNDS]   (ROUNDS pairs per workload, default 7)
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "jit_log_reader.h"
#include "jvm_support.h"

namespace fs = std::filesystem;
using namespace perfmaptest;

namespace {

constexpr double kMaxOverhead = 0.25;

struct Sample {
  double wall = 0, cpu = 0;
};

double children_cpu() {
  rusage u;
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

struct Workload {
  std::string name;
  std::vector<std::string> args;  // after `java [agent]`
};

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
  shimtest::ScratchDir* scratch = new shimtest::ScratchDir();
  fs::path work = scratch->path();
  std::vector<Workload> workloads = {
      {"startup (PerfMapSubject)", {"-cp", classes(), "PerfMapSubject", work.string(), "exit"}},
      {"JitWorkload (recompiles, unloads)", {"-cp", classes(), "JitWorkload", classes(), "10"}},
      {"javac (3 files)",
       {"--module", "jdk.compiler/com.sun.tools.javac.Main", "-XDignore.symbol.file", "-d", (work / "javac").string(),
        java_source("JitWorkload.java").string(), java_source("NativeLeak.java").string(),
        java_source("PerfMapSubject.java").string()}},
  };

  bool ok = true;
  std::printf("%-36s %10s %10s %8s %10s %10s %8s %9s %8s\n", "workload", "wall", "wall+agt", "", "cpu", "cpu+agt", "",
              "log", "records");
  for (const Workload& w : workloads) {
    std::vector<double> wall[2], cpu[2];
    uint64_t log_bytes = 0, records = 0;
    for (int round = 0; round < 2 * rounds; ++round) {
      bool with_agent = (round % 4 == 1 || round % 4 == 2);  // without, with, with, without, ...
      fs::path out = work / ("out" + std::to_string(round));
      std::vector<std::string> command = {java()};
      if (with_agent) command.push_back("-agentpath:" + agent());
      command.insert(command.end(), w.args.begin(), w.args.end());
      fs::remove(work / "ready");
      double before = children_cpu();
      auto r = shimtest::run_program(command, {{"HEAPDRIFT_OUTPUT", out.string()}}, 300, work);
      double used = children_cpu() - before;
      PerfMapFile perf_map(r.pid);  // the agent's, removed
      if (!r.exited_with(0)) {
        std::fprintf(stderr, "%s%s failed: %s\n", w.name.c_str(), with_agent ? " (with the agent)" : "",
                     r.describe().c_str());
        ok = false;
        continue;
      }
      wall[with_agent].push_back(r.seconds);
      cpu[with_agent].push_back(used);
      if (with_agent) {
        fs::path log = process_dir(out) / "jit.log";
        log_bytes = fs::file_size(log);
        auto parsed = heapdrift::perfmap::read_jit_log(log);
        records = parsed.methods.size() + parsed.loads.size() + parsed.unloads.size() + parsed.dynamic_code.size();
      }
      fs::remove_all(out);
    }
    if (wall[0].empty() || wall[1].empty()) continue;
    double w0 = median(wall[0]), w1 = median(wall[1]), c0 = median(cpu[0]), c1 = median(cpu[1]);
    std::printf("%-36s %9.3fs %9.3fs %+7.1f%% %9.3fs %9.3fs %+7.1f%% %8.0fK %8llu\n", w.name.c_str(), w0, w1,
                100 * (w1 / w0 - 1), c0, c1, 100 * (c1 / c0 - 1), log_bytes / 1024.0,
                static_cast<unsigned long long>(records));
    if (c1 > c0 * (1 + kMaxOverhead)) {
      std::fprintf(stderr, "%s: the agent costs more than %.0f%% CPU\n", w.name.c_str(), 100 * kMaxOverhead);
      ok = false;
    }
  }
  std::printf("(medians of %d runs each, interleaved; CPU = user + sys of the JVM process)\n", rounds);
  if (ok) delete scratch;  // kept (and named) when something failed
  return ok ? 0 : 1;
}
