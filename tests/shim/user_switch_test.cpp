// user_switch: a daemon that leaves root after it started is recorded on, as the user it
// became (user_switch_program): the shim gives it its directory before the switch, and
// lets that user make directories in the recording for the processes it forks.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

void check_switch(const std::string& mode) {
  if (geteuid() != 0) GTEST_SKIP() << "changing user takes root";
  ScratchDir scratch;  // 0700: the user the process becomes may not pass it
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({USER_SWITCH_PROGRAM, mode}, shim_env(rec, {{"HEAPDRIFT_INTERVAL", "100ms"}}), 30,
                            scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.err, "") << "no snapshot failed";
  ProgramOutput out(r.out);
  EXPECT_EQ(out.number("uid"), 65534u);
  const fs::path dir = rec / out.one("pid");
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
  std::vector<NumberedSnapshot> series = read_process_snapshots(dir);
  ASSERT_GE(series.size(), 2u) << "periodic snapshots after the switch, and the exit one";
  const heapdrift::Snapshot& last = series.back().snapshot;
  EXPECT_EQ(last.process.trigger, heapdrift::format::Trigger::kExit);
  size_t blocks = 0;  // of 1 MiB: from before and after the switch
  for (const heapdrift::Sample& s : last.samples) blocks += s.size == (1u << 20);
  EXPECT_EQ(blocks, 2u);
}

TEST(user_switch, setuid_leaves_the_directory_to_the_new_user) { check_switch("setuid"); }
TEST(user_switch, setresuid_leaves_the_directory_to_the_new_user) { check_switch("setresuid"); }

// The user's own child makes its directory in the recording that root made, as a
// recording in /tmp (whose parents any user may pass) lets it.
TEST(user_switch, a_child_forked_after_the_switch_is_recorded) {
  if (geteuid() != 0) GTEST_SKIP() << "changing user takes root";
  ScratchDir scratch;
  ASSERT_EQ(chmod(scratch.path().c_str(), 0711), 0);
  if (getxattr(scratch.path().c_str(), "system.posix_acl_access", nullptr, 0) < 0 && errno == EOPNOTSUPP) {
    GTEST_SKIP() << "the scratch directory's file system keeps no ACLs";
  }
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({USER_SWITCH_PROGRAM, "setuid", "fork"},
                            shim_env(rec, {{"HEAPDRIFT_INTERVAL", "100ms"}}), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.err, "") << "the child made its directory";
  ProgramOutput out(r.out);
  const fs::path dir = rec / out.one("child");
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0) << dir;
  EXPECT_EQ(st.st_uid, 65534u);
  std::vector<NumberedSnapshot> series = read_process_snapshots(dir);
  ASSERT_GE(series.size(), 2u);
  const heapdrift::Snapshot& last = series.back().snapshot;
  EXPECT_EQ(last.process.trigger, heapdrift::format::Trigger::kExit);
  size_t blocks = 0;  // the child's own
  for (const heapdrift::Sample& s : last.samples) blocks += s.size == (3u << 20);
  EXPECT_EQ(blocks, 1u);
}

}  // namespace
}  // namespace shimtest
