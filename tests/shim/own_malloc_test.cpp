// own_malloc: whose malloc the program calls. An allocator linked into the program comes
// before the shim in symbol lookup, so nothing the program allocates reaches the hooks:
// the shim says so once, keeps no thread in the program and writes allocator "own" in
// an exit snapshot only. A program whose PLT entry is malloc's address (non-PIE,
// malloc's address taken, as node is) is not such a program.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

// The program checks, as Chromium's zygote does, that it has no thread but its own
// before and after it forks, and in the child: a writer thread would fail it (and a
// Chromium under `record` aborted).
TEST(own_malloc, an_allocator_linked_into_the_program_gets_no_thread_and_one_exit_snapshot) {
  ScratchDir scratch;
  RunResult r = run_program({STATIC_ALLOCATOR_PROGRAM}, shim_env(scratch.path() / "rec", {}), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  EXPECT_EQ(out.all("ok").size(), 1u) << r.out;
  EXPECT_TRUE(r.err.starts_with("heapdrift: malloc is ")) << r.err;
  EXPECT_NE(r.err.find("static_allocator_program"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line, from the parent only: " << r.err;
  const std::vector<std::vector<std::string>> pids = out.all("pid");
  ASSERT_EQ(pids.size(), 2u) << r.out;
  for (const std::vector<std::string>& pid : pids) {
    const std::filesystem::path dir = scratch.path() / "rec" / pid.at(0);
    // No FIFO: nobody would read it.
    EXPECT_FALSE(std::filesystem::exists(dir / "control")) << dir;
    // The exit snapshot, the only one, says whose malloc it was, for the analysis.
    std::vector<NumberedSnapshot> snapshots = read_process_snapshots(dir);
    ASSERT_EQ(snapshots.size(), 1u) << dir;
    EXPECT_EQ(snapshots[0].snapshot.process.trigger, heapdrift::format::Trigger::kExit);
    ASSERT_TRUE(snapshots[0].snapshot.memory.has_value());
    EXPECT_EQ(snapshots[0].snapshot.memory->allocator, "own");
  }
}

TEST(own_malloc, a_plt_entry_for_mallocs_address_is_not_another_malloc) {
  ScratchDir scratch;
  RunResult r = run_program({MALLOC_ADDRESS_PROGRAM}, shim_env(scratch.path() / "rec", {}), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_EQ(r.err, "");
  std::vector<NumberedSnapshot> snapshots = read_process_snapshots(scratch.path() / "rec" / std::to_string(r.pid));
  ASSERT_FALSE(snapshots.empty());
  ASSERT_TRUE(snapshots.back().snapshot.memory.has_value());
  EXPECT_EQ(snapshots.back().snapshot.memory->allocator, "glibc");
  EXPECT_GE(counter(snapshots.back().snapshot, "alloc_calls"), 64u) << "the calls through the pointer reached the shim";
}

}  // namespace
}  // namespace shimtest
