// unwritable: snapshots that cannot be written are reported once, at exit, on the
// program's stderr, with the count and the first error (unwritable_program).
#include <gtest/gtest.h>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

// Runs the program in `mode` and returns its stderr, with `expected` set to what the
// shim says at exit of its one snapshot that failed with `error`.
std::string run_unwritable(const std::string& mode, const fs::path& scratch, const std::string& error,
                           std::string* expected) {
  RunResult r = run_program({UNWRITABLE_PROGRAM, mode}, shim_env(scratch / "rec"), 30, scratch);
  EXPECT_TRUE(r.exited_with(0)) << r.describe();
  const std::string pid = std::to_string(r.pid);
  *expected = "heapdrift: pid " + pid + " could not write 1 of its 1 snapshots into " +
              (scratch / "rec" / pid).string() + ": " + error + "\n";
  return r.err;
}

TEST(unwritable, a_removed_directory_is_reported_at_exit) {
  ScratchDir scratch;
  std::string expected;
  EXPECT_EQ(run_unwritable("remove", scratch.path(), "No such file or directory", &expected), expected);
}

TEST(unwritable, a_file_size_limit_is_reported_at_exit) {
  ScratchDir scratch;
  std::string expected;
  EXPECT_EQ(run_unwritable("fsize", scratch.path(), "File too large", &expected), expected);
}

// Under record, whose closing line for a process without snapshots must not blame an
// early exit only: the shim's line before it says what happened.
TEST(unwritable, record_names_a_failed_write_beside_an_early_exit) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({HEAPDRIFT_BIN, "record", "-o", rec.string(), "--", UNWRITABLE_PROGRAM, "fsize"}, {}, 30,
                            scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  const size_t shim = r.err.find("could not write 1 of its 1 snapshots");
  const size_t record = r.err.find("left no snapshot: either it ended before its first periodic snapshot");
  ASSERT_NE(shim, std::string::npos) << r.err;
  ASSERT_NE(record, std::string::npos) << r.err;
  EXPECT_LT(shim, record) << r.err;
  EXPECT_NE(r.err.find("or it could not write them (a full disk, say)", record), std::string::npos) << r.err;
}

}  // namespace
}  // namespace shimtest
