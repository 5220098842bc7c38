// spawn: a multithreaded, allocating program starts /bin/true and a test program
// (spawn_child) with posix_spawn and with vfork + exec, 20 times each (spawn_program).
// Nothing may hang; every child exits 0; each exec'd process, with LD_PRELOAD
// inherited, writes its own DIR/<pid> with readable snapshots naming its pid, its
// parent and its executable. And a child that exits without exec and without fork's
// handlers having run writes nothing (clone_program).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

void check_spawns(int n, double timeout_s) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({SPAWN_PROGRAM, SPAWN_CHILD, std::to_string(n)}, shim_env(rec), timeout_s,
                            scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput o(r.out);
  auto spawned = o.all("spawned");
  ASSERT_EQ(spawned.size(), static_cast<size_t>(4 * n));

  std::map<std::string, int> checked;
  for (const auto& l : spawned) {
    const std::string kind = l.at(0);
    const uint32_t pid = static_cast<uint32_t>(parse_number(l.at(1)));
    SCOPED_TRACE(kind + " pid " + std::to_string(pid));
    EXPECT_EQ(parse_number(l.at(2)), 0u) << "exit status";
    std::vector<NumberedSnapshot> series;
    ASSERT_NO_THROW(series = read_process_snapshots(rec / std::to_string(pid)));
    ASSERT_FALSE(series.empty()) << "the exec'd process wrote no snapshot";
    const heapdrift::Snapshot& last = series.back().snapshot;
    EXPECT_EQ(last.process.pid, pid);
    EXPECT_EQ(last.process.ppid, static_cast<uint32_t>(r.pid));
    EXPECT_EQ(last.process.trigger, heapdrift::format::Trigger::kExit);
    const bool is_child = kind.ends_with(":child");
    EXPECT_EQ(fs::path(last.process.exe), fs::canonical(is_child ? SPAWN_CHILD : "/bin/true"));
    if (is_child) {
      EXPECT_GE(counter(last, "alloc_calls"), 20u) << "spawn_child's own 20 allocations";
    }
    ++checked[kind];
  }
  EXPECT_EQ(checked.size(), 4u);

  std::vector<NumberedSnapshot> parent;
  ASSERT_NO_THROW(parent = read_process_snapshots(rec / std::to_string(r.pid)));
  ASSERT_FALSE(parent.empty());
  EXPECT_EQ(parent.back().snapshot.process.pid, static_cast<uint32_t>(r.pid));
}

TEST(spawn, posix_spawn_and_vfork_exec_from_threaded_program) { check_spawns(20, 60); }

TEST(spawn_slow, many_posix_spawn_and_vfork_exec) { check_spawns(250, 300); }

// A child that runs the shim's exit handler without having run fork's handlers (made
// by a raw clone) writes nothing: not as its parent, into its directory, taking the
// number of the parent's own exit snapshot (clone_program).
TEST(spawn, a_child_made_without_fork_handlers_writes_nothing_as_its_parent) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({CLONE_PROGRAM}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.err, "");
  ProgramOutput o(r.out);
  EXPECT_EQ(o.all("child").at(0).at(1), "0");
  std::vector<NumberedSnapshot> parent = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_EQ(parent.size(), 1u) << "a child wrote into its parent's directory";
  EXPECT_EQ(parent[0].snapshot.process.trigger, heapdrift::format::Trigger::kExit);
  EXPECT_GE(counter(parent[0].snapshot, "alloc_calls"), 1u);
  EXPECT_EQ(std::distance(fs::directory_iterator(rec), fs::directory_iterator()), 1) << "only the parent's";
}

}  // namespace
}  // namespace shimtest
