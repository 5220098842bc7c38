// End-to-end runs with the real shim (libheapdrift.so, target heapdrift_preload):
// `record` produces snapshots the reader accepts, and `snapshot PID` gets a fresh
// one from a running process through its control FIFO. These fail, rather than
// skip, when the shim does not work.
#include <csignal>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "recording.h"
#include "run_process.h"
#include "snapshot_reader.h"
#include "temp_dir.h"

namespace heapdrift::test {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool wait_for(const fs::path& p, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!fs::exists(p)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(LiveShim, RecordedSnapshotsAreReadable) {
  TempDir tmp;
  // Every allocation sampled, so that there are samples and stacks to read.
  Result r = run({HEAPDRIFT_EXE, "record", "-o", "rec", "--sample-rate", "1", "--", "ls", "-l", "/"}, tmp.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;

  Recording rec = read_recording(tmp / "rec");
  ASSERT_NE(rec.main_process(), nullptr) << "the shim wrote nothing for the main process";
  const ProcessRecording& main = *rec.main_process();
  ASSERT_FALSE(main.snapshots.empty());
  for (const SnapshotFile& f : main.snapshots) {
    Snapshot s = read_snapshot(f.path);  // throws, failing the test, if the shim's file is bad
    EXPECT_EQ(s.process.pid, main.pid);
    EXPECT_EQ(s.process.sample_rate, 1u);
    EXPECT_GT(s.counters.at("alloc_calls"), 0u);
    EXPECT_FALSE(s.modules.empty());
  }
  Snapshot last = read_snapshot(main.snapshots.back().path);
  EXPECT_EQ(last.process.trigger, format::Trigger::kExit);

  Result dump = run({HEAPDRIFT_EXE, "dump", main.snapshots.back().path}, tmp.path());
  EXPECT_EQ(dump.status, 0) << dump.err;
  EXPECT_NE(dump.out.find("pid " + std::to_string(main.pid)), std::string::npos);
}

TEST(LiveShim, SnapshotOnDemand) {
  TempDir tmp;
  Process record({HEAPDRIFT_EXE, "record", "-o", "rec", "--interval", "0", "--", "sleep", "60"}, tmp.path());
  ASSERT_TRUE(wait_for(tmp / "rec" / "recording.json", 20s)) << record.err();
  const uint32_t pid = read_recording_info(tmp / "rec" / "recording.json").main_pid;
  ASSERT_TRUE(wait_for(tmp / "rec" / std::to_string(pid) / "control", 20s))
      << "the shim did not create its control FIFO; stderr: " << record.err();

  Result r = run({HEAPDRIFT_EXE, "snapshot", std::to_string(pid), "--timeout", "20s"}, tmp.path());
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  const fs::path path = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(path.parent_path(), tmp / "rec" / std::to_string(pid));
  Snapshot s = read_snapshot(path);
  EXPECT_EQ(s.process.pid, pid);
  EXPECT_EQ(s.process.trigger, format::Trigger::kOnDemand);

  // A second request gets a newer file.
  Result again = run({HEAPDRIFT_EXE, "snapshot", std::to_string(pid), "--timeout", "20s"}, tmp.path());
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_GT(snapshot_number(fs::path(again.out.substr(0, again.out.size() - 1)).filename().string()),
            snapshot_number(path.filename().string()));

  Result dump = run({HEAPDRIFT_EXE, "dump", path}, tmp.path());
  EXPECT_EQ(dump.status, 0) << dump.err;
  EXPECT_NE(dump.out.find("trigger on-demand"), std::string::npos);

  kill(record.pid(), SIGTERM);  // forwarded: sleep dies of it
  EXPECT_EQ(record.wait(30s), 128 + SIGTERM);
}

// A daemon that changes its root after the shim started: the shim's writer thread
// keeps the old root, and `snapshot` reaches the FIFO through that thread's.
TEST(LiveShim, SnapshotOnDemandAfterTheProgramChangedItsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot takes root";
  TempDir tmp;
  fs::create_directories(tmp / "jail");
  Process record({HEAPDRIFT_EXE, "record", "-o", "rec", "--interval", "0", "--", EXIT_SEVEN, "60",
                  (tmp / "jail").string()},
                 tmp.path());
  ASSERT_TRUE(wait_for(tmp / "jail" / "chrooted", 20s)) << record.err();
  const uint32_t pid = read_recording_info(tmp / "rec" / "recording.json").main_pid;

  Result r = run({HEAPDRIFT_EXE, "snapshot", std::to_string(pid), "--timeout", "20s"}, tmp.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const fs::path path = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(path.parent_path(), tmp / "rec" / std::to_string(pid));
  EXPECT_EQ(read_snapshot(path).process.trigger, format::Trigger::kOnDemand);

  kill(record.pid(), SIGTERM);
  EXPECT_EQ(record.wait(30s), 128 + SIGTERM);
}

// What `record` says of a program LD_PRELOAD cannot reach: a warning before it runs
// (which may be days before its end) and, at the end, that nothing came from it. The
// program still runs, and its status is still record's.
struct Unreachable {
  Result run;
  bool process_dir;
};

Unreachable record_unreachable(const TempDir& tmp, const std::string& program) {
  Result r = run({HEAPDRIFT_EXE, "record", "-o", "rec", "--", program}, tmp.path());
  const uint32_t pid = read_recording_info(tmp / "rec" / "recording.json").main_pid;
  return {r, fs::exists(tmp / "rec" / std::to_string(pid))};
}

TEST(LiveShim, RecordWarnsOfAStaticallyLinkedProgram) {
  TempDir tmp;
  Unreachable u = record_unreachable(tmp, EXIT_SEVEN_STATIC);
  EXPECT_EQ(u.run.status, 7) << u.run.err;
  std::vector<std::string> err = lines(u.run.err);
  ASSERT_EQ(err.size(), 2u) << u.run.err;
  EXPECT_EQ(err[0], std::string("heapdrift: warning: ") + EXIT_SEVEN_STATIC +
                        " is statically linked, so no dynamic loader reads LD_PRELOAD: nothing will be recorded for "
                        "it, only for dynamically linked programs it starts");
  EXPECT_NE(err[1].find("the shim did not start in it"), std::string::npos) << err[1];
  EXPECT_FALSE(u.process_dir);

  // The same program linked dynamically: recorded, without a word.
  Unreachable dynamic = record_unreachable(tmp, EXIT_SEVEN);
  EXPECT_EQ(dynamic.run.status, 7) << dynamic.run.err;
  EXPECT_EQ(dynamic.run.err.find("warning"), std::string::npos) << dynamic.run.err;
  EXPECT_NE(dynamic.run.err.find("1 snapshot from pid"), std::string::npos) << dynamic.run.err;
  EXPECT_TRUE(dynamic.process_dir);
}

// A set-user-ID program runs in secure-execution mode only when its owner is not the
// user running it: owned by root it is recorded as any other, owned by nobody it is not.
TEST(LiveShim, RecordWarnsOfASetUserIdProgram) {
  if (geteuid() != 0) GTEST_SKIP() << "giving a file to another owner takes root";
  TempDir tmp;
  const fs::path program = tmp / "exit_seven";
  fs::copy_file(EXIT_SEVEN, program);
  ASSERT_EQ(chmod(program.c_str(), 04755), 0);

  Unreachable own = record_unreachable(tmp, program);
  EXPECT_EQ(own.run.status, 7) << own.run.err;
  EXPECT_EQ(own.run.err.find("warning"), std::string::npos) << own.run.err;
  EXPECT_TRUE(own.process_dir);

  fs::remove_all(tmp / "rec");
  ASSERT_EQ(chown(program.c_str(), 65534, 65534), 0);
  ASSERT_EQ(chmod(program.c_str(), 04755), 0);  // chown cleared the bit
  Unreachable other = record_unreachable(tmp, program);
  EXPECT_EQ(other.run.status, 7) << other.run.err;
  EXPECT_NE(other.run.err.find("heapdrift: warning: " + program.string() +
                               " is set-user-ID, so the dynamic loader ignores LD_PRELOAD"),
            std::string::npos)
      << other.run.err;
  EXPECT_FALSE(other.process_dir);
}

// A path is any bytes, and JSON and pprof's strings must be UTF-8: a program whose
// name is not (`ls` copied to "ls\xff") made `leaks --json` and `diff --json` stop with
// nlohmann::json's "invalid UTF-8 byte", and protobuf log an error for each of pprof's
// strings. Such bytes are now U+FFFD there; the text outputs keep them.
TEST(LiveShim, AProgramWhosePathIsNotUtf8) {
  TempDir tmp;
  const fs::path program = tmp / "ls\xff";
  fs::copy_file("/bin/ls", program);
  std::vector<std::string> snapshots;
  for (const char* options : {"-l", "-la"}) {
    const std::string dir = std::string("rec") + options;
    Result r = run({HEAPDRIFT_EXE, "record", "-o", dir, "--sample-rate", "1", "--", program, options, "/"}, tmp.path());
    ASSERT_EQ(r.status, 0) << r.err;
    const Recording rec = read_recording(tmp / dir);
    ASSERT_NE(rec.main_process(), nullptr);
    snapshots.push_back(rec.main_process()->snapshots.back().path);
  }
  const std::string replaced = program.string().substr(0, program.string().size() - 1) + "\xEF\xBF\xBD";

  Result leaks = run({HEAPDRIFT_EXE, "leaks", "rec-l", "--json"}, tmp.path());
  ASSERT_EQ(leaks.status, 0) << leaks.err;
  const nlohmann::json j = nlohmann::json::parse(leaks.out);
  EXPECT_EQ(j["command"], replaced + " -l /") << leaks.out;
  Result text = run({HEAPDRIFT_EXE, "leaks", "rec-l"}, tmp.path());
  EXPECT_NE(text.out.find(program.string() + " -l /"), std::string::npos) << text.out;

  Result diff = run({HEAPDRIFT_EXE, "diff", snapshots[0], snapshots[1], "--json"}, tmp.path());
  ASSERT_EQ(diff.status, 0) << diff.err;
  const nlohmann::json d = nlohmann::json::parse(diff.out);
  ASSERT_FALSE(d["sites"].empty());
  EXPECT_NE(diff.out.find(replaced), std::string::npos) << "no frame of the program";

  Result pprof = run({HEAPDRIFT_EXE, "export", "rec-l", "--format", "pprof", "-o", "ls.pb.gz"}, tmp.path());
  EXPECT_EQ(pprof.status, 0) << pprof.err;
  EXPECT_EQ(pprof.err.find("libprotobuf"), std::string::npos) << pprof.err;
}

// A script that ran programs and ended without an exit snapshot (killed here; dash
// exits through _exit): its own directory is empty. With one program, the commands of
// one process read that program's snapshots and say so; with two, they name both, and
// `leaks` counts the short-lived programs by program.
TEST(LiveShim, AScriptThatWroteNoSnapshotOfItsOwn) {
  TempDir tmp;
  Result one = run({HEAPDRIFT_EXE, "record", "-o", "one", "--sample-rate", "1", "--", "sh", "-c",
                    "ls -l / > /dev/null; kill -9 $$"},
                   tmp.path());
  ASSERT_EQ(one.status, 128 + SIGKILL) << one.err;
  std::vector<std::string> summary = lines(one.err);
  ASSERT_FALSE(summary.empty());
  EXPECT_TRUE(std::regex_match(summary.back(), std::regex(R"(.*\(0 snapshots from pid \d+, 1 from 1 other process\))")))
      << one.err;
  const Recording rec = read_recording(tmp / "one");
  ASSERT_EQ(rec.processes.size(), 2u);
  const ProcessRecording& ls = rec.processes[rec.processes[0].pid == *rec.main_pid ? 1 : 0];
  ASSERT_FALSE(ls.snapshots.empty());
  const std::string picked = "this is pid " + std::to_string(ls.pid) + "'s, the one other process that wrote any";

  Result report = run({HEAPDRIFT_EXE, "report", "one"}, tmp.path());
  ASSERT_EQ(report.status, 0) << report.err;
  const std::string header = "one/" + std::to_string(ls.pid) + "/" + ls.snapshots.back().path.filename().string() +
                             ": process " + std::to_string(ls.pid) + " (ls -l /)";
  EXPECT_EQ(report.out.rfind(header, 0), 0u) << report.out;
  EXPECT_NE(report.err.find(picked), std::string::npos) << report.err;
  Result flamegraph = run({HEAPDRIFT_EXE, "flamegraph", "one", "-o", "one.svg"}, tmp.path());
  EXPECT_EQ(flamegraph.status, 0) << flamegraph.err;
  EXPECT_NE(flamegraph.err.find(picked), std::string::npos) << flamegraph.err;
  Result folded = run({HEAPDRIFT_EXE, "export", "one", "--format", "folded", "-o", "one.folded"}, tmp.path());
  EXPECT_EQ(folded.status, 0) << folded.err;
  EXPECT_GT(fs::file_size(tmp / "one.folded"), 0u);

  ASSERT_EQ(run({HEAPDRIFT_EXE, "record", "-o", "two", "--sample-rate", "1", "--", "sh", "-c",
                 "ls -l / > /dev/null; ls / > /dev/null; kill -9 $$"},
                tmp.path())
                .status,
            128 + SIGKILL);
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"report", "two"}, {"flamegraph", "two", "-o", "two.svg"}}) {
    std::vector<std::string> args = command;
    args.insert(args.begin(), HEAPDRIFT_EXE);
    Result r = run(args, tmp.path());
    EXPECT_EQ(r.status, 1) << command[0];
    EXPECT_TRUE(r.out.empty()) << r.out;
    ASSERT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("wrote no snapshot; name one of the 2 processes that did by its directory: "),
              std::string::npos)
        << r.err;
    for (const ProcessRecording& p : read_recording(tmp / "two").processes) {
      const std::string named = "two/" + std::to_string(p.pid) + " (1 snapshot)";  // as the command line put it
      if (!p.snapshots.empty()) {
        EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
      }
    }
  }
  EXPECT_FALSE(fs::exists(tmp / "two.svg"));
  Result leaks = run({HEAPDRIFT_EXE, "leaks", "two"}, tmp.path());
  ASSERT_EQ(leaks.status, 0) << leaks.err;
  EXPECT_NE(leaks.out.find("2 processes too short-lived to judge"), std::string::npos) << leaks.out;
  EXPECT_NE(leaks.out.find("       2  ls (ls -l /, \u2026)\n"), std::string::npos) << leaks.out;
}

// A jit.log that does not parse (a JVM killed while writing its header, a file from
// elsewhere): the symbolizer warns, and leaks judges the process all the same.
TEST(LiveShim, AJitLogThatDoesNotParse) {
  TempDir tmp;
  Result r = run({HEAPDRIFT_EXE, "record", "-o", "rec", "--interval", "100ms", "--", "sleep", "0.5"}, tmp.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const Recording rec = read_recording(tmp / "rec");
  ASSERT_NE(rec.main_process(), nullptr);
  ASSERT_GE(rec.main_process()->snapshots.size(), 3u);
  std::ofstream(tmp / "rec" / std::to_string(rec.main_process()->pid) / "jit.log") << "HDJITLOG garbage";

  const Result text = run({HEAPDRIFT_EXE, "leaks", "rec"}, tmp.path());
  const Result json = run({HEAPDRIFT_EXE, "leaks", "rec", "--json"}, tmp.path());
  for (const Result* leaks : {&text, &json}) {
    EXPECT_EQ(leaks->status, 0) << leaks->err;
    EXPECT_NE(leaks->err.find("jit.log"), std::string::npos) << leaks->err;
    EXPECT_NE(leaks->err.find("Java frames stay unnamed"), std::string::npos) << leaks->err;
  }
  ASSERT_EQ(json.status, 0);
  EXPECT_TRUE(nlohmann::json::parse(json.out).at("code_growth").empty()) << json.out;
}

// `record` twice with one directory: the second recording is its own run's processes,
// and the first run's stay in their directories.
TEST(LiveShim, ASecondRunIntoTheSameDirectory) {
  TempDir tmp;
  Result first = run({HEAPDRIFT_EXE, "record", "-o", "rec", "--sample-rate", "1", "--", "ls", "-l", "/"}, tmp.path());
  ASSERT_EQ(first.status, 0) << first.err;
  const uint32_t first_pid = read_recording_info(tmp / "rec" / "recording.json").main_pid;
  Result second = run({HEAPDRIFT_EXE, "record", "-o", "rec", "--sample-rate", "1", "--", "sh", "-c",
                       "ls / > /dev/null; kill -9 $$"},
                      tmp.path());
  ASSERT_EQ(second.status, 128 + SIGKILL) << second.err;
  EXPECT_NE(second.err.find("heapdrift: note: rec held an earlier recording: its processes' directories stay there"),
            std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find(", 1 from 1 other process)"), std::string::npos) << second.err;
  EXPECT_TRUE(fs::exists(tmp / "rec" / std::to_string(first_pid)));

  Result leaks = run({HEAPDRIFT_EXE, "leaks", "rec", "--json"}, tmp.path());
  ASSERT_EQ(leaks.status, 0) << leaks.err;
  const nlohmann::json j = nlohmann::json::parse(leaks.out);
  EXPECT_EQ(j["command"], "sh -c ls / > /dev/null; kill -9 $$");
  ASSERT_EQ(j["children"].size(), 1u) << leaks.out;
  EXPECT_EQ(j["children"][0]["command"], "ls /");
}

// report of a recording lists its other processes, each with its number of snapshots (bash
// exits through exit(), so it writes one, where dash does not).
TEST(LiveShim, TheReportListsTheOtherProcesses) {
  TempDir tmp;
  Result rec = run({HEAPDRIFT_EXE, "record", "-o", "rec", "--", "bash", "-c", "ls / > /dev/null; true"}, tmp.path());
  ASSERT_EQ(rec.status, 0) << rec.err;
  const Recording recording = read_recording(tmp / "rec");
  ASSERT_EQ(recording.processes.size(), 2u);
  const ProcessRecording& ls = recording.processes[recording.processes[0].pid == *recording.main_pid ? 1 : 0];
  ASSERT_EQ(ls.snapshots.size(), 1u);
  Result report = run({HEAPDRIFT_EXE, "report", "rec"}, tmp.path());
  ASSERT_EQ(report.status, 0) << report.err;
  EXPECT_TRUE(std::regex_search(report.out, std::regex("\\n  pid " + std::to_string(ls.pid) + " +1 snapshot +rec/" +
                                                      std::to_string(ls.pid) + "\\n")))
      << report.out;
}

}  // namespace
}  // namespace heapdrift::test
