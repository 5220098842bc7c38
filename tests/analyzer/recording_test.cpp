// Listing a recording directory: processes, snapshots in sequence order, what is
// ignored, and how the main process is found with and without recording.json.
#include <fstream>
#include <string>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "recording.h"
#include "snapshot_builder.h"
#include "temp_dir.h"

namespace heapdrift::test {
namespace {
namespace fs = std::filesystem;

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// A snapshot of process `pid` whose shim started at `start_wall_ns`.
void write_snapshot(const fs::path& p, uint32_t pid, uint64_t start_wall_ns, uint64_t wall_ns) {
  Snapshot s = small_snapshot();
  s.process.pid = pid;
  s.process.start_wall_ns = start_wall_ns;
  s.process.wall_ns = wall_ns;
  write_bytes(p, encode_snapshot(s));
}

std::vector<uint64_t> numbers(const ProcessRecording& p) {
  std::vector<uint64_t> out;
  for (const SnapshotFile& f : p.snapshots) out.push_back(f.number);
  return out;
}

TEST(Recording, ListsProcessesAndSnapshotsInSequenceOrder) {
  TempDir dir;
  RecordingInfo info{1, 205, {"java", "-jar", "app.jar"}, 1700000000000000000ull, 65536, 2000};
  write_recording_info(dir.path(), info);
  for (const char* pid : {"205", "100"}) fs::create_directory(dir / pid);
  for (const char* name : {"snap-000010.hds", "snap-000002.hds", "snap-000001.hds", "snap-1000000.hds"}) {
    write_text(dir / "205" / name, "");  // unreadable: not read beyond their header
  }
  write_text(dir / "205" / ".snap-000011.tmp", "");
  ASSERT_EQ(mkfifo((dir / "205" / "control").c_str(), 0600), 0);
  write_text(dir / "205" / "notes.txt", "");
  fs::create_directory(dir / "205" / "snap-000012.hds");  // a directory is not a snapshot
  write_text(dir / "100" / "snap-000003.hds", "");
  fs::create_directory(dir / "not-a-pid");
  write_text(dir / "300", "");  // a file named like a pid is not a process

  Recording rec = read_recording(dir.path());
  ASSERT_TRUE(rec.info.has_value());
  EXPECT_EQ(*rec.info, info);
  ASSERT_EQ(rec.processes.size(), 2u);
  EXPECT_EQ(rec.processes[0].pid, 100u);
  EXPECT_EQ(rec.processes[1].pid, 205u);
  EXPECT_EQ(numbers(rec.processes[1]), (std::vector<uint64_t>{1, 2, 10, 1000000}));
  EXPECT_EQ(rec.processes[1].snapshots[0].path, dir / "205" / "snap-000001.hds");
  EXPECT_EQ(numbers(rec.processes[0]), std::vector<uint64_t>{3});
  ASSERT_EQ(rec.main_pid, 205u);  // from recording.json, though 100 sorts first
  ASSERT_NE(rec.main_process(), nullptr);
  EXPECT_EQ(rec.main_process()->pid, 205u);
  EXPECT_EQ(rec.find(100), &rec.processes[0]);
  EXPECT_EQ(rec.find(7), nullptr);
}

TEST(Recording, WritesRecordingJsonAtomically) {
  TempDir dir;
  RecordingInfo info{1, 42, {"sh", "-c", "echo \"hi\" \xff"}, 5, 1, 0};
  write_recording_info(dir.path(), info);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"recording.json"});  // no temporary left
  RecordingInfo read = read_recording_info(dir / "recording.json");
  EXPECT_EQ(read.main_pid, 42u);
  EXPECT_EQ(read.command[1], "-c");
  EXPECT_EQ(read.command[2], "echo \"hi\" \xef\xbf\xbd");  // invalid UTF-8 replaced, not fatal
  EXPECT_EQ(read.sample_rate, 1u);
}

TEST(Recording, WithoutRecordingJsonTheMainProcessIsTheOldest) {
  TempDir dir;
  for (const char* pid : {"200", "300", "400"}) fs::create_directory(dir / pid);
  // 300's shim started first, though 200 has the lower pid and an earlier first
  // snapshot (a short-lived child's exit snapshot).
  write_snapshot(dir / "300" / "snap-000001.hds", 300, 1000, 9000);
  write_snapshot(dir / "200" / "snap-000001.hds", 200, 2000, 3000);
  // 400 cannot be placed: its only snapshot is corrupt.
  write_text(dir / "400" / "snap-000001.hds", "garbage");

  Recording rec = read_recording(dir.path());
  EXPECT_FALSE(rec.info.has_value());
  EXPECT_EQ(rec.main_pid, 300u);

  // A corrupt first snapshot is skipped in favour of the process's next one.
  write_text(dir / "300" / "snap-000001.hds", "garbage");
  write_snapshot(dir / "300" / "snap-000002.hds", 300, 1500, 9500);
  EXPECT_EQ(read_recording(dir.path()).main_pid, 300u);
}

// `record` run twice with one directory: the processes of the earlier run, which
// started before this one, are not this recording's. A pid's directory that a process
// of this run took over (pid reuse, or an exec) is judged by its last program.
TEST(Recording, AnEarlierRunsProcessesAreLeftOut) {
  TempDir dir;
  const uint64_t start = 1'000'000;
  write_recording_info(dir.path(), {1, 200, {"sh", "run.sh"}, start, 1, 0});
  for (const char* pid : {"100", "150", "200", "201", "202", "203"}) fs::create_directory(dir / pid);
  write_snapshot(dir / "100" / "snap-000001.hds", 100, start - 5000, start - 4000);  // the earlier run's main
  write_snapshot(dir / "150" / "snap-000001.hds", 150, start - 4500, start - 4100);  // its child
  write_snapshot(dir / "150" / "snap-000002.hds", 150, start - 4500, start + 900);   // still running
  write_snapshot(dir / "200" / "snap-000001.hds", 200, start + 10, start + 1000);
  write_snapshot(dir / "201" / "snap-000001.hds", 201, start - 4800, start - 4700);  // pid reused:
  write_snapshot(dir / "201" / "snap-000002.hds", 201, start + 20, start + 500);     // by this run
  write_snapshot(dir / "202" / "snap-000001.hds", 202, start + 30, start + 600);
  write_text(dir / "202" / "snap-000002.hds", "garbage");  // the last readable one counts
  write_text(dir / "203" / "snap-000001.hds", "garbage");  // cannot be placed: kept

  Recording rec = read_recording(dir.path());
  std::vector<uint32_t> pids;
  for (const ProcessRecording& p : rec.processes) pids.push_back(p.pid);
  EXPECT_EQ(pids, (std::vector<uint32_t>{200, 201, 202, 203}));
  EXPECT_EQ(rec.main_pid, 200u);

  // The main process is never left out, whatever its clock said.
  write_snapshot(dir / "200" / "snap-000001.hds", 200, start - 1, start + 1000);
  EXPECT_NE(read_recording(dir.path()).main_process(), nullptr);
}

TEST(Recording, EmptyDirectoryHasNoMainProcess) {
  TempDir dir;
  Recording rec = read_recording(dir.path());
  EXPECT_TRUE(rec.processes.empty());
  EXPECT_FALSE(rec.main_pid.has_value());
  EXPECT_EQ(rec.main_process(), nullptr);
}

TEST(Recording, MainProcessThatWroteNothingIsAbsent) {
  TempDir dir;
  write_recording_info(dir.path(), {1, 77, {"x"}, 0, 1, 0});
  fs::create_directory(dir / "78");
  Recording rec = read_recording(dir.path());
  EXPECT_EQ(rec.main_pid, 77u);
  EXPECT_EQ(rec.main_process(), nullptr);
  ASSERT_EQ(rec.processes.size(), 1u);
  EXPECT_TRUE(rec.processes[0].snapshots.empty());
}

std::string recording_error(const fs::path& dir) {
  try {
    read_recording(dir);
  } catch (const RecordingError& e) {
    return e.what();
  }
  return "";
}

TEST(Recording, InvalidRecordingJsonIsAnErrorNamingTheFile) {
  TempDir dir;
  const std::string file = (dir / "recording.json").string();
  write_text(dir / "recording.json", "{\"version\": 1,");
  EXPECT_EQ(recording_error(dir.path()), file + ": not valid JSON");
  write_text(dir / "recording.json", "{\"version\": 1, \"command\": []}");
  EXPECT_EQ(recording_error(dir.path()), file + ": 'main_pid' is missing");
  write_text(dir / "recording.json", "{\"version\": 1, \"main_pid\": -4}");
  EXPECT_NE(recording_error(dir.path()).find("'main_pid' is not an unsigned integer"), std::string::npos);
  write_text(dir / "recording.json", "{\"version\": 2, \"main_pid\": 4}");
  EXPECT_EQ(recording_error(dir.path()), file + ": unsupported version 2");
  write_text(dir / "recording.json", "{\"version\": 1, \"main_pid\": 4, \"command\": [1]}");
  EXPECT_EQ(recording_error(dir.path()), file + ": 'command' holds a non-string");
}

TEST(Recording, MissingDirectoryIsAnError) {
  TempDir dir;
  EXPECT_NE(recording_error(dir / "nope").find((dir / "nope").string() + ": "), std::string::npos);
  write_text(dir / "file", "");
  EXPECT_EQ(recording_error(dir / "file"), (dir / "file").string() + ": not a directory");
}

TEST(Recording, SnapshotNumbers) {
  EXPECT_EQ(snapshot_number("snap-000001.hds"), 1u);
  EXPECT_EQ(snapshot_number("snap-1234567.hds"), 1234567u);
  EXPECT_EQ(snapshot_number("snap-0.hds"), 0u);
  for (const char* bad : {".snap-000001.tmp", "snap-.hds", "snap-12a.hds", "snap-000001.hds.tmp", "control",
                          "snap--1.hds", "snap-+1.hds", "snap-99999999999999999999999.hds", "xsnap-1.hds"}) {
    EXPECT_FALSE(snapshot_number(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace heapdrift::test
