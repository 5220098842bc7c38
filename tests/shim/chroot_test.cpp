// chroot: a daemon that changes its root after start (chroot_program, root only) keeps
// being recorded: its periodic snapshots after the change, with the blocks it
// allocated then, are written where the shim's writer thread wrote before, since that
// thread keeps a root of its own. Its exit snapshot, written by the exiting thread
// inside the new root, cannot be, and is reported so on stderr.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

TEST(chroot, periodic_snapshots_go_on_after_the_program_changes_its_root) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot takes root";
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec", jail = scratch.path() / "jail";
  fs::create_directories(jail);
  RunResult r = run_program({CHROOT_PROGRAM, jail.string()}, shim_env(rec, {{"HEAPDRIFT_INTERVAL", "50ms"}}), 30,
                            scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  const uint64_t chrooted = out.number("chrooted");
  const CodeRange site = site_range(out, "after_chroot");
  const std::string dir = (rec / std::to_string(r.pid)).string();

  std::vector<NumberedSnapshot> series = read_process_snapshots(dir);
  size_t after = 0, with_blocks = 0;
  for (const NumberedSnapshot& n : series) {
    EXPECT_EQ(n.snapshot.process.trigger, heapdrift::format::Trigger::kPeriodic);
    if (n.snapshot.process.mono_ns <= chrooted) continue;
    ++after;
    if (samples_at(n.snapshot, site).size() == 20) ++with_blocks;
  }
  EXPECT_GE(after, 3u) << "periodic snapshots after the chroot";
  EXPECT_GE(with_blocks, 2u) << "snapshots holding the 20 blocks allocated after the chroot";
  EXPECT_EQ(r.err, "heapdrift: pid " + std::to_string(r.pid) + " could not write 1 of its " +
                       std::to_string(series.size() + 1) + " snapshots into " + dir +
                       ": No such file or directory\n");
}

}  // namespace
}  // namespace shimtest
