// fork: a process whose 4 threads allocate in a tight loop forks again and again
// (fork_program). No fork may hang, and each child that exits with exit() must have
// written its own DIR/<child pid> series: readable, its own pid and ppid, counters
// started from zero, only its own samples. Children that _exit at once must not hang
// or break anything either, nor a library constructor that forks while a snapshot is
// written (dlopen_each_program, fork_plugin).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "recording.h"
#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

struct Children {
  RunResult run;
  std::vector<std::pair<uint32_t, int>> children;  // pid, exit status
  std::unique_ptr<ProgramOutput> out;
};

Children run_forks(const ScratchDir& scratch, const char* mode, int forks, double timeout_s,
                   const std::string& unwind) {
  Children c;
  c.run = run_program({FORK_PROGRAM, mode, std::to_string(forks)},
                      shim_env(scratch.path() / "rec", {{"HEAPDRIFT_UNWIND", unwind}}), timeout_s,
                      scratch.path());
  c.out = std::make_unique<ProgramOutput>(c.run.out);
  for (const auto& l : c.out->all("child")) {
    c.children.emplace_back(static_cast<uint32_t>(parse_number(l.at(0))),
                            static_cast<int>(parse_number(l.at(1))));
  }
  return c;
}

// The parent's own series: readable, ending with its exit snapshot.
void check_parent(const fs::path& rec, const RunResult& run) {
  std::vector<NumberedSnapshot> parent = read_process_snapshots(rec / std::to_string(run.pid));
  ASSERT_FALSE(parent.empty()) << "the parent wrote no snapshot";
  EXPECT_EQ(parent.back().snapshot.process.pid, static_cast<uint32_t>(run.pid));
  EXPECT_EQ(parent.back().snapshot.process.trigger, heapdrift::format::Trigger::kExit);
}

void check_exiting_children(int forks, double timeout_s, const std::string& unwind = "libunwind") {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  Children c = run_forks(scratch, "exit", forks, timeout_s, unwind);
  ASSERT_TRUE(c.run.exited_with(0)) << c.run.describe();
  ASSERT_EQ(c.children.size(), static_cast<size_t>(forks));
  check_parent(rec, c.run);
  const uint64_t parent_allocs = c.out->number("parent_allocs_before_fork");
  const CodeRange site = site_range(*c.out, "child");

  for (const auto& [pid, status] : c.children) {
    SCOPED_TRACE("child " + std::to_string(pid));
    EXPECT_EQ(status, 0);
    std::vector<NumberedSnapshot> series;
    ASSERT_NO_THROW(series = read_process_snapshots(rec / std::to_string(pid)));
    ASSERT_FALSE(series.empty()) << "the child wrote no snapshot";
    for (const NumberedSnapshot& n : series) {
      EXPECT_EQ(n.snapshot.process.pid, pid);
      EXPECT_EQ(n.snapshot.process.ppid, static_cast<uint32_t>(c.run.pid));
    }
    const heapdrift::Snapshot& last = series.back().snapshot;
    EXPECT_EQ(last.process.trigger, heapdrift::format::Trigger::kExit);
    // Started from zero: a few hundred allocations of its own, not the parent's count.
    EXPECT_LT(counter(last, "alloc_calls") * 10, parent_allocs);
    EXPECT_GE(counter(last, "alloc_calls"), 110u) << "the child's own 110 allocations";
    EXPECT_LE(counter(last, "threads"), 3u);
    // Only the child's own samples: none older than its shim, and its 10 blocks.
    for (const heapdrift::Sample& s : last.samples) {
      EXPECT_GE(s.alloc_mono_ns, last.process.start_mono_ns) << "a sample inherited from the parent";
    }
    auto mine = samples_at(last, site);
    EXPECT_EQ(mine.size(), 10u);
    for (const heapdrift::Sample& s : mine) EXPECT_EQ(s.size, 777u);
  }
}

void check_quick_exit_children(int forks, double timeout_s, const std::string& unwind = "libunwind") {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  Children c = run_forks(scratch, "_exit", forks, timeout_s, unwind);
  ASSERT_TRUE(c.run.exited_with(0)) << c.run.describe();
  ASSERT_EQ(c.children.size(), static_cast<size_t>(forks));
  check_parent(rec, c.run);
  for (const auto& [pid, status] : c.children) {
    EXPECT_EQ(status, 0) << "child " << pid;
    // _exit runs no exit handler: whatever the child left must still be readable.
    if (!fs::exists(rec / std::to_string(pid))) continue;
    std::vector<NumberedSnapshot> series;
    EXPECT_NO_THROW(series = read_process_snapshots(rec / std::to_string(pid))) << "child " << pid;
    for (const NumberedSnapshot& n : series) EXPECT_EQ(n.snapshot.process.pid, pid);
  }
}

TEST(fork, children_exit_and_write_their_own_series) { check_exiting_children(30, 30); }

// The same with the frame-pointer unwinder, which takes no lock of libunwind's.
TEST(fork, children_exit_and_write_their_own_series_fp_unwinder) { check_exiting_children(30, 30, "fp"); }

TEST(fork, children_quick_exit_does_not_hang) { check_quick_exit_children(30, 30); }

// The loader's lock and the shim's snapshot lock: a library constructor (fork_plugin,
// loaded after `libraries`; inside dlopen, holding the loader's lock) forks while the
// writer thread writes a snapshot (holding the snapshot lock, which the fork's handler
// takes). The snapshot must not wait for the loader's lock: no dlopen, dlsym or
// dladdr there (lifecycle.cpp loads libzstd at start-up).
void check_constructor_forks_while_a_snapshot_is_written(std::vector<std::string> libraries) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  std::vector<std::string> command = {DLOPEN_EACH_PROGRAM};
  command.insert(command.end(), libraries.begin(), libraries.end());
  command.push_back(FORK_PLUGIN);
  RunResult r = run_program(command, shim_env(rec), 20, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.out, "forked 0\n");
  std::vector<NumberedSnapshot> parent = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_EQ(parent.size(), 2u) << "the snapshot asked for, and the exit snapshot";
  EXPECT_EQ(parent[0].snapshot.process.trigger, heapdrift::format::Trigger::kOnDemand);
}

TEST(fork, a_library_constructor_forks_while_a_snapshot_is_written) {
  check_constructor_forks_while_a_snapshot_is_written({});
}

// With a libjvm.so loaded, that snapshot is the first to read HotSpot's table from it.
TEST(fork, a_library_constructor_forks_while_a_snapshot_reads_libjvms_table) {
  check_constructor_forks_while_a_snapshot_is_written({JVM_STAND_IN});
}

TEST(fork_slow, many_children_exit_and_write_their_own_series) { check_exiting_children(400, 180); }

TEST(fork_slow, many_children_quick_exit_does_not_hang) { check_quick_exit_children(1000, 180); }

}  // namespace
}  // namespace shimtest
