// foreign_stack: allocations on stacks the program made (fibers, alternate signal
// stacks), on the main thread and on another: samples where there is room are kept,
// with the frames of their own stack; where there is none they are dropped and counted,
// and the program, which fits there alone, does not crash (foreign_stack_program).
#include <gtest/gtest.h>

#include <vector>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

void expect_foreign_stacks_sampled(const std::string& where) {
  ScratchDir scratch;
  const std::filesystem::path rec = scratch.path() / "rec";
  std::vector<std::string> argv = {FOREIGN_STACK_PROGRAM};
  if (!where.empty()) argv.push_back(where);
  RunResult r = run_program(argv, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_EQ(series.size(), 1u);
  const heapdrift::Snapshot& last = series.back().snapshot;
  const std::vector<heapdrift::Sample> fiber = samples_at(last, site_range(out, "fiber"));
  EXPECT_EQ(fiber.size(), 30u);
  // A fiber's stack ends where the fiber began: the frame pointer it began with is its
  // maker's, whose frames are not the fiber's callers.
  for (const heapdrift::Sample& sample : fiber) {
    for (uint64_t frame : last.stacks.at(sample.stack_id).frames) {
      EXPECT_FALSE(site_range(out, "maker").contains(frame)) << "a fiber's stack goes on into its maker's frames";
    }
  }
  EXPECT_EQ(samples_at(last, site_range(out, "roomy_handler")).size(), 20u);
  EXPECT_EQ(counter(last, "dropped_samples"), 70u) << "the 16 KiB fiber's 50, the 12 KiB signal stack's 20";
}

TEST(foreign_stack, on_the_main_thread) { expect_foreign_stacks_sampled(""); }

TEST(foreign_stack, on_another_thread) { expect_foreign_stacks_sampled("thread"); }

}  // namespace
}  // namespace shimtest
