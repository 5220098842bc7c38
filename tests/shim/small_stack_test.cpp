// small_stack: a thread with a 16 KiB stack, which the program alone does not overflow,
// does not crash under the shim: its samples, for which its stack has no room, are
// dropped and counted; a thread with room is sampled as ever (small_stack_program).
#include <gtest/gtest.h>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

TEST(small_stack, a_thread_without_room_for_a_sample_drops_it_rather_than_overflow) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  RunResult r = run_program({SMALL_STACK_PROGRAM}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_EQ(series.size(), 1u);
  const heapdrift::Snapshot& last = series.back().snapshot;
  EXPECT_EQ(samples_at(last, site_range(out, "roomy")).size(), 20u);
  EXPECT_TRUE(samples_at(last, site_range(out, "small")).empty());
  EXPECT_GE(counter(last, "dropped_samples"), 50u) << "the small thread's 50 allocations, sampled and dropped";
}

// The main thread's stack grows on demand up to RLIMIT_STACK (1 MiB here): 6 KiB from
// it, where the program's own calls fit, there is no room for a sample's walk.
TEST(small_stack, the_main_thread_near_its_stack_limit_drops_samples_rather_than_overflow) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  RunResult r = run_program({"/bin/sh", "-c", std::string("ulimit -s 1024 && exec ") + SMALL_STACK_PROGRAM + " main"},
                            shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_FALSE(series.empty());
  const heapdrift::Snapshot& last = series.back().snapshot;
  EXPECT_EQ(counter(last, "dropped_samples"), 20u) << "the 20 allocations near the limit, sampled and dropped";
}

}  // namespace
}  // namespace shimtest
