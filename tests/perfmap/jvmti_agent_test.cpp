// libheapdrift_jvmti.so in a real JVM running JitWorkload: its code is compiled with
// inlining, deoptimized and recompiled, and unloaded with its classes; a small code
// cache (16 MiB, unsegmented) and an eager sweeper make HotSpot reuse code addresses.
// The log must name the code, its lines and inlining, its unloads, and let the lookup
// attribute every piece of code correctly at its own time, where the perf map the JDK
// writes at exit cannot.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "java_names.h"
#include "jit_code_map.h"
#include "jit_log_reader.h"
#include "jvm_support.h"
#include "perf_map_reader.h"

namespace {

namespace fs = std::filesystem;
using heapdrift::perfmap::JavaFrame;
using heapdrift::perfmap::JitCodeMap;
using heapdrift::perfmap::JitLog;
using heapdrift::perfmap::kNoMethod;
using heapdrift::perfmap::LogCodeLoad;
using namespace perfmaptest;

// One run of the workload, shared by the tests of this file (each test process runs it once).
struct WorkloadRun {
  shimtest::RunResult result;
  fs::path dir;  // OUT/<pid>
  pid_t pid = 0;
  JitLog log;
  JitCodeMap code;
  JitCodeMap at_exit;  // from the perf map the JDK wrote at exit
  uint64_t ended_ns = 0;
};

// The run's directory outlives the tests that share it: removed when the test program
// ends, unless a test failed (then kept and named, as ScratchDir does).
class WorkloadScratch : public ::testing::Environment {
 public:
  void TearDown() override { delete scratch; }
  static inline shimtest::ScratchDir* scratch = nullptr;
};
[[maybe_unused]] ::testing::Environment* const workload_scratch =
    ::testing::AddGlobalTestEnvironment(new WorkloadScratch);

const WorkloadRun& workload() {
  static shimtest::ScratchDir* scratch = WorkloadScratch::scratch = new shimtest::ScratchDir();
  static WorkloadRun* run = [] {
    auto* r = new WorkloadRun();
    fs::path out = scratch->path() / "out";
    r->result = shimtest::run_program(
        {java(), "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit",
         "-XX:ReservedCodeCacheSize=16m", "-XX:-SegmentedCodeCache", "-XX:SweeperThreshold=0.01",
         "-XX:+PrintCompilation", "-agentpath:" + agent(), "-cp", classes(), "JitWorkload", classes(), "20"},
        {{"HEAPDRIFT_OUTPUT", out.string()}}, 120, scratch->path());
    r->ended_ns = monotonic_ns();
    if (!r->result.exited_with(0)) return r;
    r->dir = process_dir(out);
    r->pid = pid_of(r->dir);
    r->log = heapdrift::perfmap::read_jit_log(r->dir / "jit.log");
    r->code.add_log(r->log);
    PerfMapFile at_exit(r->pid);
    r->at_exit.add_perf_map(at_exit.path(), r->ended_ns);
    return r;
  }();
  return *run;
}

#define REQUIRE_WORKLOAD()                                                                 \
  const WorkloadRun& w = workload();                                                       \
  ASSERT_TRUE(w.result.exited_with(0)) << w.result.describe();                             \
  ASSERT_NE(w.result.out.find("done "), std::string::npos) << w.result.out.substr(0, 2000)

std::string function_of(const JitLog& log, uint32_t method) {
  return method == kNoMethod ? "" : log.methods[method].function();
}

std::vector<const LogCodeLoad*> loads_of(const JitLog& log, const std::string& function) {
  std::vector<const LogCodeLoad*> out;
  for (const auto& l : log.loads) {
    if (function_of(log, l.method) == function) out.push_back(&l);
  }
  return out;
}

TEST(Agent, NamesCompiledCodeWithSignatureSourceAndLines) {
  REQUIRE_WORKLOAD();
  EXPECT_FALSE(w.log.truncated);
  EXPECT_TRUE(w.log.warnings.empty()) << w.log.warnings[0];
  ASSERT_EQ(w.log.sessions.size(), 1u);
  EXPECT_EQ(w.log.sessions[0].pid, static_cast<uint32_t>(w.pid));
  EXPECT_NE(w.log.sessions[0].vm_name.find("VM"), std::string::npos) << w.log.sessions[0].vm_name;
  EXPECT_FALSE(w.log.sessions[0].vm_version.empty());

  const uint32_t call_line = marked_line("JitWorkload.java", "helper-call");
  bool compute_named = false, nested_class = false;
  for (const auto& m : w.log.methods) {
    if (m.function() == "JitWorkload.compute") {
      compute_named = true;
      EXPECT_EQ(m.signature, "(I)J");
      EXPECT_EQ(m.source_file, "JitWorkload.java");
      EXPECT_TRUE(std::any_of(m.lines.begin(), m.lines.end(), [&](auto& l) { return l.line == call_line; }));
    }
    nested_class |= m.class_name == "JitWorkload$Square" && m.name == "area" && m.signature == "()I";
  }
  EXPECT_TRUE(compute_named);
  EXPECT_TRUE(nested_class) << "nested classes keep their '$'";

  // Its code is there, loaded after the session started, and named by the lookup.
  auto compute = loads_of(w.log, "JitWorkload.compute");
  ASSERT_FALSE(compute.empty());
  for (const LogCodeLoad* l : compute) {
    EXPECT_GE(l->time_ns, w.log.sessions[0].mono_ns);
    EXPECT_LE(l->time_ns, w.ended_ns);
    auto frames = w.code.lookup(l->address + 1, l->time_ns);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().function, "JitWorkload.compute");
    EXPECT_EQ(frames.back().signature, "(I)J");
    EXPECT_EQ(frames.back().file, "JitWorkload.java");
  }
}

// HotSpot's inlining records name helper() inside compute() at some pc, with the line
// of the call in compute and a line of helper's body.
TEST(Agent, RecordsInliningWithLines) {
  REQUIRE_WORKLOAD();
  const uint32_t call_line = marked_line("JitWorkload.java", "helper-call");
  const uint32_t body_line = marked_line("JitWorkload.java", "helper-body");
  size_t inlined_pcs = 0;
  for (const LogCodeLoad* l : loads_of(w.log, "JitWorkload.compute")) {
    for (uint32_t p = l->first_pc; p < l->first_pc + l->pc_count; ++p) {
      auto frames = w.code.lookup(w.log.pcs[p].pc, l->time_ns);
      if (frames.size() != 2 || frames[0].function != "JitWorkload.helper") continue;
      ++inlined_pcs;
      EXPECT_EQ(frames[0].kind, JavaFrame::kInlined);
      EXPECT_EQ(frames[0].signature, "(I)I");
      EXPECT_EQ(frames[0].file, "JitWorkload.java");
      EXPECT_TRUE(frames[0].line == body_line || frames[0].line == body_line + 1) << frames[0].line;
      EXPECT_EQ(frames[1].function, "JitWorkload.compute");
      EXPECT_EQ(frames[1].kind, JavaFrame::kCompiled);
      EXPECT_EQ(frames[1].line, call_line);
    }
  }
  EXPECT_GT(inlined_pcs, 0u) << "no inlining record names helper inside compute";
}

TEST(Agent, RecordsGeneratedCode) {
  REQUIRE_WORKLOAD();
  std::set<std::string> names;
  for (const auto& d : w.log.dynamic_code) names.insert(d.name);
  EXPECT_TRUE(names.count("Interpreter"));
  EXPECT_TRUE(names.count("call_stub"));
  EXPECT_TRUE(names.count("I2C/C2I adapters"));
  for (const auto& d : w.log.dynamic_code) {
    if (d.name != "Interpreter") continue;
    auto frames = w.code.lookup(d.address + d.size / 2, w.ended_ns);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], (JavaFrame{"Interpreter", "", "", 0, JavaFrame::kGenerated}));
  }
}

// totalArea is compiled for Squares only, deoptimized when Circles come, recompiled;
// the classes of phase 3 are unloaded with their code.
TEST(Agent, RecordsDeoptimizationRecompilationAndUnloads) {
  REQUIRE_WORKLOAD();
  bool made_not_entrant = false;
  for (size_t at = 0; (at = w.result.out.find("JitWorkload::totalArea", at)) != std::string::npos; ++at) {
    made_not_entrant |= w.result.out.substr(at, w.result.out.find('\n', at) - at).find("made not entrant") !=
                        std::string::npos;
  }
  EXPECT_TRUE(made_not_entrant) << "-XX:+PrintCompilation shows no deoptimization of totalArea";
  auto total_area = loads_of(w.log, "JitWorkload.totalArea");
  std::set<uint64_t> addresses;
  for (const LogCodeLoad* l : total_area) addresses.insert(l->address);
  EXPECT_GE(addresses.size(), 3u) << "totalArea: tier 3, tier 4, and tier 4 again after the deoptimization";

  // Unload records: every one ends code loaded before it, at the same address.
  std::map<uint64_t, std::vector<const LogCodeLoad*>> by_address;
  for (const auto& l : w.log.loads) by_address[l.address].push_back(&l);
  size_t unloaded_total_area = 0, unloaded_unloadable = 0;
  for (const auto& u : w.log.unloads) {
    auto it = by_address.find(u.address);
    ASSERT_NE(it, by_address.end()) << "an unload of code never loaded";
    const LogCodeLoad* latest = nullptr;
    for (const LogCodeLoad* l : it->second) {
      if (l->sequence < u.sequence) latest = l;
    }
    ASSERT_NE(latest, nullptr);
    EXPECT_LE(latest->time_ns, u.time_ns);
    std::string f = function_of(w.log, latest->method);
    unloaded_total_area += f == "JitWorkload.totalArea";
    unloaded_unloadable += f.starts_with("Unloadable");
  }
  EXPECT_GE(unloaded_unloadable, 20u) << "class unloading must unload the Unloadable classes' code";
  EXPECT_GE(unloaded_total_area, 1u) << "the deoptimized totalArea code was never reported unloaded";
  for (const auto& warning : w.code.warnings()) ADD_FAILURE() << warning;
}

// The point of the log: with addresses reused, each piece of code is named at its own
// time, whereas the JDK's at-exit perf map names what happens to be there at the end.
TEST(Agent, TimeAwareLookupOnRealAddressReuse) {
  REQUIRE_WORKLOAD();
  size_t reused = 0, checked = 0, wrong_at_exit = 0;
  std::vector<const LogCodeLoad*> loads;
  for (const auto& l : w.log.loads) loads.push_back(&l);
  std::sort(loads.begin(), loads.end(), [](auto* a, auto* b) { return a->address < b->address; });
  for (size_t i = 0; i < loads.size(); ++i) {
    const LogCodeLoad& l = *loads[i];
    for (size_t j = i + 1; j < loads.size() && loads[j]->address < l.address + l.size; ++j) {
      reused += loads[j]->method != l.method;
    }
    std::string expected = function_of(w.log, l.method);
    if (expected.empty()) continue;
    // A sample taken in this code, in its first instruction's return address, when
    // its load record was written.
    auto frames = w.code.lookup(l.address + 1, l.time_ns);
    ASSERT_FALSE(frames.empty()) << expected;
    EXPECT_EQ(frames.back().function, expected) << "code at 0x" << std::hex << l.address << std::dec << " loaded at "
                                                 << l.time_ns;
    ++checked;
    auto at_exit = w.at_exit.lookup(l.address + 1, l.time_ns);
    wrong_at_exit += at_exit.empty() || at_exit.back().function != expected;
  }
  EXPECT_GE(reused, 10u) << "the run did not reuse code addresses; the test proves nothing";
  EXPECT_GT(checked, 100u);
  EXPECT_GT(wrong_at_exit, 10u) << "the at-exit perf map should misname reused code";
  std::printf("%zu code loads, %zu overlaps with other methods, %zu misnamed by the at-exit perf map\n", checked,
              reused, wrong_at_exit);
}

// A JVM whose agent cannot write still runs, and says so once.
TEST(Agent, NeverStopsTheJvm) {
  shimtest::ScratchDir scratch;
  auto started = fs::file_time_type::clock::now();
  auto r = shimtest::run_program({java(), "-agentpath:" + agent() + "=perfmap=0,bogus", "-cp", classes(),
                                  "PerfMapSubject", scratch.path().string(), "exit"},
                                 {{"HEAPDRIFT_OUTPUT", "/proc/version/no"}}, 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_NE(r.err.find("heapdrift-jvmti: cannot create /proc/version/no/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("heapdrift-jvmti: unknown option 'bogus' ignored"), std::string::npos) << r.err;
  // A map older than the run is another process's that had this pid before.
  std::error_code ec;
  auto written = fs::last_write_time(perf_map_path(r.pid), ec);
  EXPECT_TRUE(ec || written < started) << "perfmap=0 must not write a perf map";
}

// Without HEAPDRIFT_OUTPUT the log goes to heapdrift.<pid>/<pid>/jit.log in the current
// directory; the perf map is written as events come, and names what the log names.
TEST(Agent, DefaultLogPathAndPerfMap) {
  shimtest::ScratchDir scratch;
  auto r = shimtest::run_program({"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", scratch.path().string(), java(),
                                  "-agentpath:" + agent(), "-cp", classes(), "PerfMapSubject",
                                  scratch.path().string(), "exit"},
                                 {}, 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  PerfMapFile perf_map(r.pid);
  std::string pid = std::to_string(r.pid);
  fs::path log_path = scratch.path() / ("heapdrift." + pid) / pid / "jit.log";
  ASSERT_TRUE(fs::exists(log_path)) << log_path;
  JitLog log = heapdrift::perfmap::read_jit_log(log_path);
  ASSERT_FALSE(loads_of(log, "PerfMapSubject.hot").empty());

  ASSERT_TRUE(fs::exists(perf_map.path()));
  auto map = heapdrift::perfmap::read_perf_map(perf_map.path());
  EXPECT_EQ(map.malformed_lines, 0u);
  std::set<std::pair<uint64_t, uint64_t>> logged;
  size_t logged_records = 0;  // a perf map has no room for empty ranges
  for (const auto& l : log.loads) logged_records += l.size > 0, logged.insert({l.address, l.size});
  for (const auto& d : log.dynamic_code) logged_records += d.size > 0, logged.insert({d.address, d.size});
  EXPECT_EQ(map.entries.size(), logged_records);
  bool hot = false;
  for (const auto& e : map.entries) {
    EXPECT_TRUE(logged.count({e.start, e.size})) << e.name;
    auto names = heapdrift::perfmap::parse_perf_map_name(e.name);
    if (e.name.find('(') != std::string::npos && e.name.find(' ') == std::string::npos) {
      EXPECT_EQ(names.size(), 1u) << e.name;
    }
    hot |= e.name == "PerfMapSubject.hot(I)I";
  }
  EXPECT_TRUE(hot);
}

// The agent exports the JVMTI entry points and nothing else, and needs only libc.
TEST(Agent, ExportsOnlyTheEntryPoints) {
  auto lines_of = [](const std::string& command) {
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    char buf[512];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    if (p) pclose(p);
    return out;
  };
  std::string exported = lines_of("nm -D --defined-only '" + agent() + "' | awk '{print $3}' | sort");
  EXPECT_EQ(exported, "Agent_OnAttach\nAgent_OnLoad\nAgent_OnUnload\n");
  std::string needed = lines_of("readelf -d '" + agent() + "' | grep NEEDED");
  EXPECT_NE(needed.find("[libc.so.6]"), std::string::npos) << needed;
  EXPECT_EQ(needed.find("libstdc++"), std::string::npos) << needed;
  void* handle = dlopen(agent().c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  EXPECT_NE(dlsym(handle, "Agent_OnLoad"), nullptr);
  dlclose(handle);
}

}  // namespace
