// exit: the exit snapshot is written by the writer thread, asked by the exiting one.
// From a signal handler that interrupted no allocation, or from a library constructor
// (dlopen_each_program, exit_plugin), it is written as ever; when the exiting thread
// holds the allocator's lock (which the snapshot needs), the process still ends, after
// the writer made no progress for a while, and says so (exit_program, locked_allocator).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

TEST(exit, from_a_signal_handler_the_exit_snapshot_is_written) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  RunResult r = run_program({EXIT_PROGRAM, "signal"}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series.back().snapshot.process.trigger, heapdrift::format::Trigger::kExit);
  EXPECT_EQ(samples_at(series.back().snapshot, site_range(out, "kept")).size(), 10u);
}

// The file is one zstd frame (libzstd.so.1 is on this machine), or with
// HEAPDRIFT_COMPRESS=0 the format's own bytes; both read the same.
TEST(exit, the_snapshot_file_is_compressed_unless_asked_not_to) {
  for (std::string compress : {"1", "0"}) {
    ScratchDir scratch;
    const std::filesystem::path rec = scratch.path() / "rec";
    RunResult r = run_program({EXIT_PROGRAM, "signal"}, shim_env(rec, {{"HEAPDRIFT_COMPRESS", compress}}), 30,
                              scratch.path());
    ASSERT_TRUE(r.exited_with(0)) << r.describe();
    std::ifstream file(rec / std::to_string(r.pid) / "snap-000001.hds", std::ios::binary);
    std::string magic(8, '\0');
    ASSERT_TRUE(file.read(magic.data(), 8)) << "HEAPDRIFT_COMPRESS=" << compress;
    if (compress == "1") EXPECT_EQ(magic.substr(0, 4), "\x28\xb5\x2f\xfd");
    else EXPECT_EQ(magic, "HEAPDRFT");
    std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
    ASSERT_EQ(series.size(), 1u);
    EXPECT_EQ(samples_at(series.back().snapshot, site_range(ProgramOutput(r.out), "kept")).size(), 10u);
  }
}

// A snapshot larger than RLIMIT_FSIZE fails with EFBIG and is reported, on the writer
// thread and on the exiting one alike (SIGXFSZ would end the process).
TEST(exit, a_file_size_limit_fails_the_snapshot_not_the_process) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  RunResult r = run_program({EXIT_PROGRAM, "small_files"}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  EXPECT_EQ(out.number("child_status"), 0u) << "the child's wait status";
  EXPECT_NE(r.err.find("could not write 1 of its 1 snapshots"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;
}

// exit() from a library's constructor runs inside dlopen, holding the loader's lock; the
// exit snapshot, the process's first, does not wait for it.
TEST(exit, from_a_library_constructor_the_exit_snapshot_is_written) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  RunResult r = run_program({DLOPEN_EACH_PROGRAM, EXIT_PLUGIN}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.err, "");
  std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series.back().snapshot.process.trigger, heapdrift::format::Trigger::kExit);
}

TEST(exit, holding_the_allocators_lock_ends_without_a_snapshot_rather_than_hang) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  EnvVars env = shim_env(rec, {{"LD_PRELOAD", shim_library() + ":" + LOCKED_ALLOCATOR}});
  RunResult r = run_program({EXIT_PROGRAM, "locked"}, env, 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_NE(r.err.find("wrote no exit snapshot: the writer made no progress"), std::string::npos) << r.err;
  EXPECT_TRUE(read_process_snapshots(rec / std::to_string(r.pid)).empty());
  EXPECT_LT(r.seconds, 10.0);
}

}  // namespace
}  // namespace shimtest
