// errno: the shim's own work on a program's thread (stack walks, a thread's first
// sample, the fork child's new writer) leaves the program's errno as it was, after
// every entry point; a failed call keeps the allocator's ENOMEM (errno_program).
#include <gtest/gtest.h>

#include <cerrno>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

void expect_errno_kept(const std::string& unwind) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  RunResult r = run_program({ERRNO_PROGRAM}, shim_env(rec, {{"HEAPDRIFT_UNWIND", unwind}}), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  for (const std::vector<std::string>& changed : out.all("changed")) {
    ADD_FAILURE() << "errno changed by " << changed.at(0) << ", " << changed.at(1) << " times";
  }
  EXPECT_EQ(out.number("checked"), 5u * 16 * 25) << "the main thread and four threads, 16 depths, 25 calls each";
  EXPECT_EQ(out.number("enomem"), static_cast<uint64_t>(ENOMEM));
  // The calls were samples, walked through the chains: the paths under test ran.
  std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_FALSE(series.empty());
  EXPECT_GE(counter(series.back().snapshot, "sampled_allocs"), 5u * 16 * 14) << "14 allocations of the 25 calls";
}

TEST(errno_kept, by_every_entry_point_with_libunwind) { expect_errno_kept("libunwind"); }

TEST(errno_kept, by_every_entry_point_with_frame_pointers) { expect_errno_kept("fp"); }

}  // namespace
}  // namespace shimtest
