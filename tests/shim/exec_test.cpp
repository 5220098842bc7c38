// exec: a process that execs (same pid) starts a second shim writing into the same
// DIR/<pid> (exec_program). Every snapshot of both images must survive under its own
// number, the first image's before the second's, so that the newest snapshot of the
// directory is the exit snapshot of the image that ran last. A second image that finds
// no FIFO (no_fifo_program) is recorded all the same.
#include <gtest/gtest.h>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

TEST(exec, snapshots_of_both_images_survive) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({EXEC_PROGRAM}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput o(r.out);
  auto before = o.all("before_exec").at(0);
  ASSERT_EQ(parse_number(before.at(0)), static_cast<uint64_t>(r.pid));
  auto after = o.all("after_exec").at(0);
  ASSERT_EQ(parse_number(after.at(0)), static_cast<uint64_t>(r.pid));
  EXPECT_EQ(parse_number(after.at(1)), 3u) << "the second image got no answer through the FIFO";

  std::vector<NumberedSnapshot> series;
  ASSERT_NO_THROW(series = read_process_snapshots(rec / std::to_string(r.pid)));
  // Two on demand from the first image, one on demand and the exit snapshot of the second.
  ASSERT_EQ(series.size(), 4u) << "a snapshot of the first image was overwritten";
  int on_demand = 0;
  for (const NumberedSnapshot& n : series) {
    EXPECT_EQ(n.snapshot.process.pid, static_cast<uint32_t>(r.pid));
    if (n.snapshot.process.trigger == heapdrift::format::Trigger::kOnDemand) {
      ++on_demand;
      EXPECT_EQ(n.snapshot.process.arguments().size(), n.number < 3 ? 1u : 2u)
          << "snapshot " << n.number << " is not the image's that asked for it";
    }
  }
  EXPECT_EQ(on_demand, 3);
  const heapdrift::Snapshot& last = series.back().snapshot;
  EXPECT_EQ(last.process.trigger, heapdrift::format::Trigger::kExit)
      << "the newest is snapshot " << series.back().number;
  EXPECT_EQ(last.process.arguments().size(), 2u) << "the newest snapshot is not the second image's";
}

// An image whose control FIFO cannot be made (no_fifo_program) is recorded all the
// same, without a word: only snapshots on demand are off.
TEST(exec, a_process_without_a_control_fifo_is_still_recorded) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({NO_FIFO_PROGRAM}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.err, "");
  const fs::path dir = rec / std::to_string(r.pid);
  EXPECT_TRUE(fs::is_directory(dir / "control"));
  std::vector<NumberedSnapshot> series = read_process_snapshots(dir);
  ASSERT_FALSE(series.empty());
  EXPECT_EQ(series.back().snapshot.process.trigger, heapdrift::format::Trigger::kExit);
  EXPECT_EQ(series.back().snapshot.process.arguments().size(), 2u) << "not the second image's exit snapshot";
}

}  // namespace
}  // namespace shimtest
