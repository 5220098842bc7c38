// The `heapdrift` executable as users run it: exit statuses, one-line errors, what
// `record` hands the command (environment, recording.json) and what `dump` prints.
// Tests that need the real shim to write snapshots are in cli_live_test.cpp.
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "recording_info.h"
#include "run_process.h"
#include "snapshot_builder.h"
#include "temp_dir.h"

namespace heapdrift::test {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Cli : public ::testing::Test {
 protected:
  Cli() { fs::create_directory(work()); }

  // The directory commands run in; nothing else is put there.
  fs::path work() const { return tmp_ / "work"; }

  Result heapdrift(std::vector<std::string> args, const EnvVars& env = {}) {
    args.insert(args.begin(), HEAPDRIFT_EXE);
    return run(args, work(), env);
  }

  std::vector<std::string> work_entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(work())) out.push_back(e.path().filename());
    return out;
  }

  std::string read_text(const fs::path& p) const {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  TempDir tmp_;
};

// One line on stderr, "heapdrift: ...", containing every one of `parts`.
void expect_one_error_line(const Result& r, std::initializer_list<std::string> parts) {
  std::vector<std::string> l = lines(r.err);
  ASSERT_EQ(l.size(), 1u) << r.err;
  EXPECT_EQ(l[0].rfind("heapdrift: ", 0), 0u) << l[0];
  for (const std::string& p : parts) EXPECT_NE(l[0].find(p), std::string::npos) << l[0] << " lacks " << p;
}

const std::string kTouch = "touch ran";  // proof that the command ran

TEST_F(Cli, MalformedSizeRunsNothing) {
  Result r = heapdrift({"record", "--sample-rate", "12Q", "--", "sh", "-c", kTouch});
  EXPECT_EQ(r.status, 2);
  expect_one_error_line(r, {"--sample-rate", "12Q"});
  EXPECT_TRUE(work_entries().empty());
}

TEST_F(Cli, MalformedValuesRunNothing) {
  const std::vector<std::vector<std::string>> bad = {
      {"--interval", "5x"}, {"--interval", "-1s"}, {"--sample-rate", "0"}, {"--max-depth", "0"},
      {"--max-depth", "257"}, {"--max-snapshots", "2"}, {"--max-snapshots", "many"}};
  for (const auto& option : bad) {
    Result r = heapdrift({"record", option[0], option[1], "-o", "rec", "--", "sh", "-c", kTouch});
    EXPECT_EQ(r.status, 2) << option[0] << " " << option[1];
    expect_one_error_line(r, {option[0], option[1]});
    EXPECT_TRUE(work_entries().empty()) << option[0] << " " << option[1];
  }
}

TEST_F(Cli, UnknownOptionRunsNothing) {
  Result r = heapdrift({"record", "--bogus", "-o", "rec", "--", "sh", "-c", kTouch});
  EXPECT_EQ(r.status, 2);
  expect_one_error_line(r, {"--bogus"});
  EXPECT_TRUE(work_entries().empty());

  r = heapdrift({"--bogus", "dump", "x"});
  EXPECT_EQ(r.status, 2);
  expect_one_error_line(r, {"--bogus"});
}

TEST_F(Cli, MissingCommandOrSubcommandIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"record"}, {"record", "--"}, {"record", "-o", "rec"}, {}, {"frobnicate"}, {"dump"}, {"snapshot"}}) {
    Result r = heapdrift(args);
    EXPECT_EQ(r.status, 2) << ::testing::PrintToString(args);
    expect_one_error_line(r, {});
  }
  EXPECT_TRUE(work_entries().empty());
}

TEST_F(Cli, AnUnknownCommandIsNamed) {
  Result r = heapdrift({"frobnicate", "x"});
  EXPECT_EQ(r.status, 2);
  expect_one_error_line(r, {"unknown command 'frobnicate'", "record", "leaks"});
}

// Counts say what they expect, not the range of a double or "could not convert".
TEST_F(Cli, MalformedCountsAreOneClearError) {
  const std::vector<std::vector<std::string>> bad = {{"leaks", ".", "--top", "0"},   {"report", ".", "--top", "x"},
                                                     {"diff", ".", ".", "--top", "-2"}, {"leaks", ".", "--depth", "-3"},
                                                     {"report", ".", "--depth", "1.5"}};
  for (const auto& args : bad) {
    Result r = heapdrift(args);
    EXPECT_EQ(r.status, 2) << ::testing::PrintToString(args);
    expect_one_error_line(r, {args[args.size() - 2], "expected a whole number", "'" + args.back() + "'"});
    EXPECT_EQ(r.err.find("range"), std::string::npos) << r.err;
  }
}

// JDK_JAVA_OPTIONS, java's command line and _JAVA_OPTIONS come after JAVA_TOOL_OPTIONS,
// where record adds frame pointers: the last flag that a JVM reads wins.
TEST_F(Cli, RecordWarnsWhenJavasFramePointersAreTurnedOffAfterItsFlag) {
  const std::string warning = "-XX:-PreserveFramePointer in ";
  Result r = heapdrift({"record", "-o", "rec1", "--", "sh", "-c", "true"},
                       {{"JDK_JAVA_OPTIONS", "-Xmx64m -XX:-PreserveFramePointer"}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(warning + "JDK_JAVA_OPTIONS overrides"), std::string::npos) << r.err;
  r = heapdrift({"record", "-o", "rec2", "--", "sh", "-c", "true"},
                {{"JDK_JAVA_OPTIONS", "-XX:-PreserveFramePointer"}, {"_JAVA_OPTIONS", "-XX:+PreserveFramePointer"}});
  EXPECT_EQ(r.err.find(warning), std::string::npos) << r.err;
  r = heapdrift({"record", "-o", "rec3", "--", "java", "-XX:-PreserveFramePointer", "-version"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(warning + "java's command line overrides"), std::string::npos) << r.err;
  r = heapdrift({"record", "-o", "rec4", "--", "java", "-version"});
  EXPECT_EQ(r.err.find(warning), std::string::npos) << r.err;
}

TEST_F(Cli, InvalidInheritedShimSettingRunsNothing) {
  // The shim would reject it and run the command unprofiled: record refuses instead.
  Result r = heapdrift({"record", "-o", "rec", "--", "sh", "-c", kTouch}, {{"HEAPDRIFT_SAMPLE_RATE", "lots"}});
  EXPECT_EQ(r.status, 2);
  expect_one_error_line(r, {"HEAPDRIFT_SAMPLE_RATE", "lots"});
  EXPECT_TRUE(work_entries().empty());
}

TEST_F(Cli, HelpExitsZero) {
  Result r = heapdrift({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("record"), std::string::npos);
  EXPECT_NE(r.out.find("snapshot"), std::string::npos);
}

TEST_F(Cli, ExitsWithTheCommandsStatus) {
  Result r = heapdrift({"record", "-o", "rec", "--", "sh", "-c", "exit 7"});
  EXPECT_EQ(r.status, 7) << r.err;
  std::vector<std::string> l = lines(r.err);
  ASSERT_FALSE(l.empty());
  EXPECT_TRUE(std::regex_match(l.back(), std::regex(R"(heapdrift: recording in rec \(\d+ snapshots? from pid \d+\))")))
      << l.back();

  EXPECT_EQ(heapdrift({"record", "-o", "rec2", "--", "sh", "-c", "exit 0"}).status, 0);
}

TEST_F(Cli, ExitsWith128PlusTheSignalThatKilledTheCommand) {
  Result r = heapdrift({"record", "-o", "rec", "--", "sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.status, 128 + SIGTERM) << r.err;
}

// As a shell: 127 for a command not found, 126 for one found but not runnable.
TEST_F(Cli, CommandThatCannotRunExitsAsAShellWouldAndLeavesNothing) {
  Result r = heapdrift({"record", "-o", "rec", "--", "/nonexistent/command", "arg"});
  EXPECT_EQ(r.status, 127);
  expect_one_error_line(r, {"/nonexistent/command"});
  EXPECT_TRUE(work_entries().empty());

  const fs::path script = tmp_ / "not-executable.sh";
  std::ofstream(script) << "#!/bin/sh\n";
  r = heapdrift({"record", "-o", "rec", "--", script.string()});
  EXPECT_EQ(r.status, 126);
  expect_one_error_line(r, {script.string(), "Permission denied"});
  EXPECT_TRUE(work_entries().empty());
}

TEST_F(Cli, RecordingJsonDescribesTheRun) {
  const auto before = std::chrono::system_clock::now();
  Result r = heapdrift({"record", "-o", "rec", "--sample-rate", "64K", "--interval", "2s", "--", "sh", "-c",
                        "echo $$ > pid.txt"});
  const auto after = std::chrono::system_clock::now();
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string pid = read_text(work() / "pid.txt");
  ASSERT_FALSE(pid.empty());

  nlohmann::json j = nlohmann::json::parse(read_text(work() / "rec" / "recording.json"));
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["main_pid"], std::stoul(pid));
  EXPECT_EQ(j["command"], (std::vector<std::string>{"sh", "-c", "echo $$ > pid.txt"}));
  EXPECT_EQ(j["sample_rate"], 65536);
  EXPECT_EQ(j["interval_ms"], 2000);
  auto ns = [](auto t) { return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(); };
  EXPECT_GE(j["start_wall_ns"].get<int64_t>(), ns(before));
  EXPECT_LE(j["start_wall_ns"].get<int64_t>(), ns(after));
  EXPECT_NE(r.err.find("snapshots from pid " + pid.substr(0, pid.size() - 1) + ")"), std::string::npos) << r.err;

  for (const auto& e : fs::directory_iterator(work() / "rec")) {  // no temporary file left
    std::string name = e.path().filename();
    EXPECT_TRUE(name == "recording.json" || name.find_first_not_of("0123456789") == std::string::npos) << name;
  }
}

// node names its JavaScript frames only when asked for its perf map: record says so.
TEST_F(Cli, RecordOfNodeWithoutItsPerfMapSaysHowToAskForIt) {
  const std::string note = "without --perf-basic-prof, node writes no perf map";
  Result plain = heapdrift({"record", "-o", "a", "--", "node", "-e", "1"});
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_NE(plain.err.find(note), std::string::npos) << plain.err;
  // Asked for on the command line or in NODE_OPTIONS; an argument of the script's is not node's.
  for (auto [args, env] : {std::pair{std::vector<std::string>{"node", "-e", "1", "--perf-basic-prof"}, EnvVars{}},
                           std::pair{std::vector<std::string>{"node", "-e", "1"},
                                     EnvVars{{"NODE_OPTIONS", "--max-old-space-size=64 --perf-basic-prof"}}}}) {
    std::vector<std::string> argv = {"record", "-o", "b", "--"};
    argv.insert(argv.end(), args.begin(), args.end());
    Result asked = heapdrift(argv, env);
    ASSERT_EQ(asked.status, 0) << asked.err;
    EXPECT_EQ(asked.err.find(note), std::string::npos) << asked.err;
    for (const auto& pid : fs::directory_iterator(work() / "b")) {  // V8's perf map, left in /tmp
      if (pid.is_directory()) fs::remove("/tmp/perf-" + pid.path().filename().string() + ".map");
    }
    fs::remove_all(work() / "b");
  }
  std::ofstream(work() / "script.js") << "1\n";
  Result late = heapdrift({"record", "-o", "c", "--", "node", "script.js", "--perf-basic-prof"});
  EXPECT_NE(late.err.find(note), std::string::npos) << late.err;
}

// CPython's objects of 512 bytes or less are seen only when they come from malloc:
// record sets PYTHONMALLOC=malloc for the Pythons its command starts, unless it is set
// already (then it says what that hides); and it says how to have Python functions
// named when python runs without -X perf.
TEST_F(Cli, RecordOfPythonTakesItsObjectsFromMallocAndSaysHowToNameItsFunctions) {
  const std::string note = "without -X perf, python (3.12 or later) writes no perf map";
  const std::string print = "import os; print(os.environ.get('PYTHONMALLOC'))";
  Result plain = heapdrift({"record", "-o", "a", "--", "python3", "-c", print});
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(plain.out, "malloc\n");
  EXPECT_NE(plain.err.find(note), std::string::npos) << plain.err;

  Result kept = heapdrift({"record", "-o", "b", "--", "python3", "-X", "perf", "-c", print}, {{"PYTHONMALLOC", "pymalloc"}});
  ASSERT_EQ(kept.status, 0) << kept.err;
  EXPECT_EQ(kept.out, "pymalloc\n");
  EXPECT_EQ(kept.err.find(note), std::string::npos) << kept.err;
  EXPECT_NE(kept.err.find("PYTHONMALLOC=pymalloc"), std::string::npos) << kept.err;

  Result variable = heapdrift({"record", "-o", "c", "--", "python3", "-c", "pass"}, {{"PYTHONPERFSUPPORT", "1"}});
  EXPECT_EQ(variable.err.find(note), std::string::npos) << variable.err;
  // After -c CODE, the arguments are the program's.
  Result late = heapdrift({"record", "-o", "d", "--", "python3", "-c", "pass", "-X", "perf"});
  EXPECT_NE(late.err.find(note), std::string::npos) << late.err;
}

TEST_F(Cli, RecordingJsonHasTheDefaultsWhenNoOptionIsGiven) {
  ASSERT_EQ(heapdrift({"record", "-o", "rec", "--", "true"}).status, 0);
  nlohmann::json j = nlohmann::json::parse(read_text(work() / "rec" / "recording.json"));
  EXPECT_EQ(j["sample_rate"], 512 * 1024);
  EXPECT_EQ(j["interval_ms"], 60000);
}

TEST_F(Cli, DefaultDirectoryIsNamedAfterTheCommandsPid) {
  Result r = heapdrift({"record", "--", "sh", "-c", "echo $$ > pid.txt"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string pid = read_text(work() / "pid.txt");
  pid.pop_back();
  EXPECT_TRUE(fs::exists(work() / ("heapdrift." + pid) / "recording.json"));
  EXPECT_NE(r.err.find("recording in heapdrift." + pid + " ("), std::string::npos) << r.err;
}

TEST_F(Cli, PreloadGoesInFrontOfTheExistingOne) {
  const std::string shim = fs::canonical(HEAPDRIFT_PRELOAD_LIB).string();
  Result r = heapdrift({"record", "-o", "rec", "--", "sh", "-c", "echo \"$LD_PRELOAD\""},
                       {{"LD_PRELOAD", EMPTY_PRELOAD_LIB}});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, shim + ":" + EMPTY_PRELOAD_LIB + "\n");

  r = heapdrift({"record", "-o", "rec2", "--", "sh", "-c", "echo \"$LD_PRELOAD\""});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, shim + "\n");
}

TEST_F(Cli, ShimVariablesAreSetOnlyWhenGiven) {
  const std::string print = "env | grep '^HEAPDRIFT_' | sort";
  Result r = heapdrift({"record", "-o", "rec", "--", "sh", "-c", print});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "HEAPDRIFT_OUTPUT=" + (work() / "rec").string() + "\n");

  r = heapdrift({"record", "-o", "sub/../rec2", "--sample-rate", "1", "--interval", "500ms", "--max-snapshots",
                 "10", "--max-depth", "32", "--", "sh", "-c", print});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "HEAPDRIFT_INTERVAL=500ms\nHEAPDRIFT_MAX_DEPTH=32\nHEAPDRIFT_MAX_SNAPSHOTS=10\n"
                   "HEAPDRIFT_OUTPUT=" + (work() / "rec2").string() + "\nHEAPDRIFT_SAMPLE_RATE=1\n");
}

// Starts `record` on a shell that exits with 42 on SIGTERM and 43 on SIGHUP, and
// waits until its traps are set. The traps fire at once because `wait` is
// interruptible, unlike a foreground sleep.
std::unique_ptr<Process> start_trapping_shell(const fs::path& work, pid_t* child) {
  auto record = std::make_unique<Process>(
      std::vector<std::string>{HEAPDRIFT_EXE, "record", "-o", "rec", "--", "sh", "-c",
                               "trap 'kill $!; exit 42' TERM; trap 'kill $!; exit 43' HUP; "
                               "echo $$ > pid.tmp; mv pid.tmp pid.txt; sleep 60 & wait"},
      work);
  for (int i = 0; i < 3000 && !fs::exists(work / "pid.txt"); ++i) std::this_thread::sleep_for(10ms);
  std::ifstream in(work / "pid.txt");
  *child = 0;
  in >> *child;
  return record;
}

TEST_F(Cli, ForwardsSigtermAndIgnoresSigintAndSigquit) {
  pid_t child;
  auto record = start_trapping_shell(work(), &child);
  ASSERT_GT(child, 0) << record->err();

  // As if only heapdrift got them (a terminal sends them to the child too).
  kill(record->pid(), SIGINT);
  kill(record->pid(), SIGQUIT);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(record->running());
  EXPECT_EQ(kill(child, 0), 0);

  kill(record->pid(), SIGTERM);
  EXPECT_EQ(record->wait(30s), 42) << record->err();
}

TEST_F(Cli, ForwardsSighup) {
  pid_t child;
  auto record = start_trapping_shell(work(), &child);
  ASSERT_GT(child, 0) << record->err();
  kill(record->pid(), SIGHUP);
  EXPECT_EQ(record->wait(30s), 43) << record->err();
}

TEST_F(Cli, DumpOfAMissingFileNamesIt) {
  Result r = heapdrift({"dump", "no-such.hds"});
  EXPECT_EQ(r.status, 1);
  expect_one_error_line(r, {"no-such.hds", "No such file"});
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, DumpOfACorruptFileNamesItAndPrintsNothing) {
  std::vector<uint8_t> bytes = encode_snapshot(rich_snapshot());
  bytes[100] ^= 0x40;
  write_bytes(work() / "bad.hds", bytes);
  Result r = heapdrift({"dump", "bad.hds"});
  EXPECT_EQ(r.status, 1);
  expect_one_error_line(r, {"bad.hds", "checksum"});
  EXPECT_TRUE(r.out.empty());

  bytes = encode_snapshot(rich_snapshot());
  bytes.resize(bytes.size() / 2);
  write_bytes(work() / "short.hds", bytes);
  r = heapdrift({"dump", "--summary", "short.hds"});
  EXPECT_EQ(r.status, 1);
  expect_one_error_line(r, {"short.hds", "truncated"});
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, DumpPrintsEverySection) {
  write_bytes(work() / "snap.hds", encode_snapshot(rich_snapshot()));
  Result r = heapdrift({"dump", "snap.hds"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* expected : {
           "pid 4242  ppid 1  sequence 17  trigger on-demand",
           "cmdline java -Xmx1g '' -cp 'app dir/x.jar' Main",
           "alloc_bytes              1099511627776",
           "memory (allocator glibc)",
           "Rss:  716800 kB",
           "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so  bias 0x7f0012340000  build-id "
           "deadbeef000102030405060708090a0b0c0d0eff",
           "segment vaddr 0x200000  memsz 0xabcdef  offset 0x200000  r-x",
           "linux-vdso.so.1  bias 0x7ffc00000000  build-id -",
           "000000007ffc1000-000000007ffc2000 rw-p 00000000 [stack]",
           "stack 7  flags truncated,frame-pointer  depth 64",
           "    0x00007f0012345000\n",
           "stack 1000  flags -  depth 0",
           "stack 9  flags frame-pointer,interpreter-methods  depth 3",
           "    0x00007f00dead0010  method 0x00007f00beef0100\n    0x00007f00dead0200\n",
       }) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << "missing: " << expected;
  }
  // address, size, weight, age = 98765432100 − 98000000000 ns, stack, tid
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(0x00007f00aa000010 +1048576 +1\.000 +765\.432 +7 +4243\n)")))
      << r.out;
}

TEST_F(Cli, DumpSummaryRanksStacksByLiveBytes) {
  Snapshot s = small_snapshot();
  s.stacks = {{1, {1, 0, {0xa1}, {}}}, {2, {2, 0, {0xb2}, {}}}};
  s.samples = {{0x10, 100, 0, 10.0, 1, 1}, {0x20, 100, 0, 10.0, 1, 1},  // 2000 bytes
               {0x30, 5000, 0, 1.0, 2, 1},                               // 5000
               {0x40, 3, 0, 1.0, 0, 1}};                                 // 3, no stack
  write_bytes(work() / "snap.hds", encode_snapshot(s));
  Result r = heapdrift({"dump", "--summary", "snap.hds"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> l = lines(r.out);
  ASSERT_EQ(l.size(), 5u) << r.out;
  EXPECT_NE(l[0].find("samples 4  estimated live bytes 7003"), std::string::npos) << l[0];
  EXPECT_TRUE(std::regex_match(l[2], std::regex(R"( +2 +1 +5000  0xb2)"))) << l[2];
  EXPECT_TRUE(std::regex_match(l[3], std::regex(R"( +1 +2 +2000  0xa1)"))) << l[3];
  EXPECT_TRUE(std::regex_match(l[4], std::regex(R"( +0 +1 +3  \(no stack\))"))) << l[4];
}

// What the allocator holds is resident only as far as it has been written: of 401 MiB
// held, with 20 MiB of anonymous memory resident, 381 MiB at least is not; and the
// anonymous memory outside malloc is not shown as less than nothing.
TEST_F(Cli, ReportSaysWhatTheAllocatorHoldsButHasNotWritten) {
  Snapshot s = small_snapshot();
  constexpr uint64_t kMiB = 1 << 20;
  s.memory = MemoryInfo{"glibc",
                        {{"rss_bytes", 30 * kMiB},
                         {"rss_anon_bytes", 20 * kMiB},
                         {"rss_file_bytes", 10 * kMiB},
                         {"malloc.arena_count", 1},
                         {"malloc.arena_bytes", 401 * kMiB},
                         {"malloc.in_use_bytes", 400 * kMiB},
                         {"malloc.mmap_bytes", 0},
                         {"malloc.free_bytes", kMiB}},
                        ""};
  write_bytes(work() / "snap.hds", encode_snapshot(s));
  Result r = heapdrift({"report", "snap.hds"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("(glibc holds 401 MiB in 1 arenas, at least 381 MiB of it not resident)"), std::string::npos)
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\n  other anonymous memory +0 B  )"))) << r.out;
}

// A bash script's recording: bash's snapshots hold no sampled block, its JVM's (a child)
// the heap. flamegraph and export read bash's, as report does (which lists the others
// under its tables), and say where the others are.
TEST_F(Cli, FlamegraphAndExportOfAnEmptyMainProcessNameTheOthers) {
  Snapshot script = small_snapshot();
  script.samples.clear();
  Snapshot child = small_snapshot();
  child.process.pid = script.process.pid + 1;
  const fs::path rec = work() / "rec";
  for (const Snapshot* s : {&script, &child}) {
    fs::create_directories(rec / std::to_string(s->process.pid));
    write_bytes(rec / std::to_string(s->process.pid) / "snap-000001.hds", encode_snapshot(*s));
  }
  write_recording_info(rec, {1, script.process.pid, {"bash", "start.sh"}, 0, 512 * 1024, 60000});
  const std::string named = "rec/" + std::to_string(child.process.pid) + " (1 snapshot)";
  for (const std::vector<std::string>& args : {std::vector<std::string>{"flamegraph", "rec", "-o", "f.svg"},
                                               {"export", "rec", "--format", "folded", "-o", "f.folded"}}) {
    Result r = heapdrift(args);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("holds no sampled block; the other processes of this recording"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
  }
  Result r = heapdrift({"export", "rec/" + std::to_string(child.process.pid), "--format", "folded", "-o", "c.folded"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("holds no sampled block"), std::string::npos) << r.err;
}

// A JVM's snapshot copied away from its recording's directory has no jit.log beside it:
// its Java frames cannot be named, and the analysis says so.
TEST_F(Cli, AJvmsSnapshotReadWithoutItsJitLogIsWarnedOf) {
  Snapshot s = small_snapshot();
  write_bytes(work() / "native.hds", encode_snapshot(s));
  s.modules.push_back({"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so", 0x7f0000000000, {}, {}});
  write_bytes(work() / "jvm.hds", encode_snapshot(s));
  Result r = heapdrift({"report", "jvm.hds"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("heapdrift: warning: jit.log: not found, where the JIT recorder writes it"), std::string::npos)
      << r.err;
  r = heapdrift({"report", "native.hds"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("jit.log"), std::string::npos) << r.err;
}

// Waits until `p` runs `program` (it has exec'd): before, /proc/PID/environ is still the
// test's, without the HEAPDRIFT_OUTPUT that `snapshot` reads there.
void wait_for_exec(const Process& p, const std::string& program) {
  const fs::path exe = "/proc/" + std::to_string(p.pid()) + "/exe";
  std::error_code error;
  for (int i = 0; i < 500 && fs::read_symlink(exe, error).filename() != program; ++i) std::this_thread::sleep_for(10ms);
}

TEST_F(Cli, SnapshotOfAProcessNotUnderHeapdrift) {
  Process sleeper({"sleep", "30"}, work());
  Result r = heapdrift({"snapshot", std::to_string(sleeper.pid()), "--timeout", "2s"});
  EXPECT_EQ(r.status, 1);
  expect_one_error_line(r, {"process " + std::to_string(sleeper.pid()) + " is not running under heapdrift"});
}

// Stands in for a shim's writer thread in `dir` (DIR/<pid>): creates the control FIFO,
// opens it `delay` later, takes one request and writes a snapshot.
class FakeWriter {
 public:
  FakeWriter(const fs::path& dir, std::chrono::milliseconds delay) {
    fs::create_directories(dir);
    EXPECT_EQ(mkfifo((dir / "control").c_str(), 0600), 0);
    thread_ = std::thread([dir, delay] {
      std::this_thread::sleep_for(delay);
      int fd = open((dir / "control").c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      char byte = 0;
      for (int i = 0; fd >= 0 && i < 1000 && read(fd, &byte, 1) != 1; ++i) std::this_thread::sleep_for(10ms);
      write_bytes(dir / "snap-000001.hds", encode_snapshot(small_snapshot()));
      if (fd >= 0) close(fd);
    });
  }
  ~FakeWriter() { thread_.join(); }

 private:
  std::thread thread_;
};

// A FIFO that gets its reader a moment late, as in a process that has just forked or
// exec'd (its writer thread opens it once it runs): the request waits for the reader,
// up to a second, and a FIFO that never gets one fails after that second, not after
// --timeout.
TEST_F(Cli, SnapshotWaitsAMomentForTheFifosReader) {
  const fs::path rec = work() / "rec";
  Process sleeper({"sleep", "30"}, work(), {{"HEAPDRIFT_OUTPUT", rec.string()}});
  wait_for_exec(sleeper, "sleep");
  const std::string pid = std::to_string(sleeper.pid());
  Result r;
  {
    FakeWriter writer(rec / pid, 300ms);
    r = heapdrift({"snapshot", pid, "--timeout", "20s"});
  }
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, (rec / pid / "snap-000001.hds").string() + "\n");

  const auto start = std::chrono::steady_clock::now();
  r = heapdrift({"snapshot", pid, "--timeout", "20s"});
  EXPECT_EQ(r.status, 1);
  expect_one_error_line(r, {"process " + pid + " is not running under heapdrift (nobody reads"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

// A process recording where no FIFO could be made: the request says so, at once.
TEST_F(Cli, SnapshotOfAProcessWithoutAControlFifo) {
  const fs::path rec = work() / "rec";
  Process sleeper({"sleep", "30"}, work(), {{"HEAPDRIFT_OUTPUT", rec.string()}});
  wait_for_exec(sleeper, "sleep");
  const std::string pid = std::to_string(sleeper.pid());
  fs::create_directories(rec / pid);
  Result r = heapdrift({"snapshot", pid, "--timeout", "20s"});
  EXPECT_EQ(r.status, 1);
  expect_one_error_line(r, {"process " + pid + " records into " + (rec / pid).string() +
                            " without a control FIFO", "none on demand"});
}

// A process with a root of its own (a chroot here; a container alike) names its
// recording from that root: the request reaches it through /proc/PID/root.
TEST_F(Cli, SnapshotOfAProcessInAChroot) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot takes root";
  const fs::path jail = work() / "jail";
  fs::create_directories(jail);
  fs::copy_file(EXIT_SEVEN_STATIC, jail / "sleeper");
  Process sleeper({"chroot", jail.string(), "/sleeper", "30"}, work(), {{"HEAPDRIFT_OUTPUT", "/rec"}});
  const std::string pid = std::to_string(sleeper.pid());
  // chroot has exec'd the sleeper once /proc/PID/root is the jail.
  for (int i = 0; i < 500 && fs::read_symlink("/proc/" + pid + "/root") != jail; ++i) std::this_thread::sleep_for(10ms);
  Result r;
  {
    FakeWriter writer(jail / "rec" / pid, 0ms);
    r = heapdrift({"snapshot", pid, "--timeout", "20s"});
  }
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/proc/" + pid + "/root/rec/" + pid + "/snap-000001.hds\n");
}

TEST_F(Cli, SnapshotOfAProcessThatIsGone) {
  Process gone({"true"}, work());
  ASSERT_EQ(gone.wait(), 0);
  Result r = heapdrift({"snapshot", std::to_string(gone.pid())});
  EXPECT_EQ(r.status, 1);
  expect_one_error_line(r, {"no process with pid " + std::to_string(gone.pid())});
}

TEST_F(Cli, SnapshotWithBadArguments) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"snapshot", "abc"}, {"snapshot", "0"}, {"snapshot", "1", "--timeout", "3x"}}) {
    Result r = heapdrift(args);
    EXPECT_EQ(r.status, 2) << ::testing::PrintToString(args);
    expect_one_error_line(r, {});
  }
}

// The analysis commands re-execute themselves once with glibc's huge-page tunable when
// the kernel gives huge pages on request (analyzer/cli/huge_page_heap.h).
// PRINT_TUNABLES_LIB prints "tunables: ..." from each program image the process runs.
class HugePageHeap : public Cli {
 protected:
  static bool on_request() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    return std::getline(in, modes) && modes.find("[madvise]") != std::string::npos;
  }

  // The GLIBC_TUNABLES of each image, in the order they ran.
  static std::vector<std::string> images(const Result& r) {
    std::vector<std::string> out;
    for (const std::string& l : lines(r.err)) {
      if (l.rfind("tunables: ", 0) == 0) out.push_back(l.substr(10));
    }
    return out;
  }

  Result dump_missing(const EnvVars& tunables) {
    EnvVars env = tunables;
    env["LD_PRELOAD"] = PRINT_TUNABLES_LIB;
    return heapdrift({"dump", "missing.hds"}, env);
  }
};

using Images = std::vector<std::string>;

TEST_F(HugePageHeap, AnalysisCommandsRunAgainWithTheTunable) {
  Result r = dump_missing({});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("heapdrift: missing.hds"), std::string::npos) << r.err;
  if (on_request()) {
    EXPECT_EQ(images(r), (Images{"(none)", "glibc.malloc.hugetlb=1"}));
  } else {
    EXPECT_EQ(images(r), (Images{"(none)"})) << "huge pages are not on request here: nothing to ask";
  }
}

TEST_F(HugePageHeap, TheUsersTunablesAreKept) {
  if (!on_request()) GTEST_SKIP() << "transparent huge pages are not in madvise mode here";
  Result r = dump_missing({{"GLIBC_TUNABLES", "glibc.malloc.arena_max=2"}});
  EXPECT_EQ(images(r), (Images{"glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"}));
}

TEST_F(HugePageHeap, TheUsersChoiceStands) {
  if (!on_request()) GTEST_SKIP() << "transparent huge pages are not in madvise mode here";
  Result r = dump_missing({{"GLIBC_TUNABLES", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0"}});
  EXPECT_EQ(images(r), (Images{"glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0"}));
}

TEST_F(HugePageHeap, NotWhenTheLoaderRunsIt) {
  // /proc/self/exe is then the loader: re-executing it would run our first argument.
  const std::string loader = "/lib64/ld-linux-x86-64.so.2";
  if (!fs::exists(loader)) GTEST_SKIP() << "no " << loader;
  Result r = run({loader, HEAPDRIFT_EXE, "dump", "missing.hds"}, work(), {{"LD_PRELOAD", PRINT_TUNABLES_LIB}});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("heapdrift: missing.hds"), std::string::npos) << r.err;
  EXPECT_EQ(images(r), (Images{"(none)"}));
}

TEST_F(HugePageHeap, RecordHandsItsCommandNoTunable) {
  Result r = heapdrift({"record", "-o", "rec", "--", "sh", "-c", "echo \"command: ${GLIBC_TUNABLES-unset}\""},
                       {{"LD_PRELOAD", PRINT_TUNABLES_LIB}});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.out), (Images{"command: unset"}));
  // heapdrift once, then the command's shell: neither with the tunable.
  EXPECT_EQ(images(r), (Images{"(none)", "(none)"})) << r.err;
}

}  // namespace
}  // namespace heapdrift::test
