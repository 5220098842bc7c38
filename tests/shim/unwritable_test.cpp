// unwritable: snapshots that cannot be written are reported once, at exit, on the
// program's stderr, with the count and the first error (unwritable_program).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

std::string run_unwritable(const std::string& mode, const fs::path& scratch, pid_t* pid) {
  RunResult r = run_program({UNWRITABLE_PROGRAM, mode}, shim_env(scratch / "rec"), 30, scratch);
  EXPECT_TRUE(r.exited_with(0)) << r.describe();
  *pid = r.pid;
  return r.err;
}

TEST(unwritable, a_removed_directory_is_reported_at_exit) {
  ScratchDir scratch;
  pid_t pid = 0;
  std::string err = run_unwritable("remove", scratch.path(), &pid);
  const std::string dir = (scratch.path() / "rec" / std::to_string(pid)).string();
  EXPECT_EQ(err, "heapdrift: pid " + std::to_string(pid) + " could not write 1 of its 1 snapshots into " + dir +
                     ": No such file or directory\n");
}

TEST(unwritable, a_change_of_user_is_reported_at_exit) {
  if (geteuid() != 0) GTEST_SKIP() << "changing user takes root";
  ScratchDir scratch;
  pid_t pid = 0;
  std::string err = run_unwritable("drop", scratch.path(), &pid);
  const std::string dir = (scratch.path() / "rec" / std::to_string(pid)).string();
  EXPECT_EQ(err, "heapdrift: pid " + std::to_string(pid) + " could not write 1 of its 1 snapshots into " + dir +
                     ": Permission denied (it changed user after it started?)\n");
  EXPECT_TRUE(fs::is_directory(dir));
}

}  // namespace
}  // namespace shimtest
