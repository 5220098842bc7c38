// hooks: every allocation entry point the shim exports, called a known number of times
// at a known site by hooks_program, must move the counters by exactly what the program
// measured and leave exactly its live blocks as samples (requested size, weight 1).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

struct HooksRun {
  RunResult result;
  fs::path process_dir;
  std::unique_ptr<ProgramOutput> out;
};

HooksRun run_hooks(const ScratchDir& scratch, const std::vector<std::string>& args, const EnvVars& extra = {}) {
  HooksRun run;
  std::vector<std::string> argv{HOOKS_PROGRAM};
  argv.insert(argv.end(), args.begin(), args.end());
  run.result = run_program(argv, shim_env(scratch.path() / "rec", extra), 60, scratch.path());
  run.out = std::make_unique<ProgramOutput>(run.result.out);
  run.process_dir = scratch.path() / "rec" / std::to_string(run.result.pid);
  return run;
}

TEST(hooks, every_entry_point_counted_and_recorded_exactly) {
  ScratchDir scratch;
  HooksRun run = run_hooks(scratch, {});
  ASSERT_TRUE(run.result.exited_with(0)) << run.result.describe();
  const ProgramOutput& o = *run.out;
  EXPECT_TRUE(o.all("unexpected").empty()) << "libc misbehaved under the shim:\n" << run.result.out;
  ASSERT_EQ(o.number("pid"), static_cast<uint64_t>(run.result.pid));

  auto snaps = o.all("snaps").at(0);
  heapdrift::Snapshot before = read_numbered(run.process_dir, parse_number(snaps.at(0)));
  heapdrift::Snapshot after = read_numbered(run.process_dir, parse_number(snaps.at(1)));
  EXPECT_EQ(after.process.sample_rate, 1u);

  for (const char* key : {"alloc_calls", "free_calls", "alloc_bytes", "free_bytes"}) {
    EXPECT_EQ(counter(after, key) - counter(before, key), o.expect(key)) << "counter " << key;
  }
  // Exact mode: every allocation is a sample.
  EXPECT_EQ(counter(after, "sampled_allocs") - counter(before, "sampled_allocs"), o.expect("alloc_calls"));

  const CodeRange site = site_range(o, "hooks");
  EXPECT_TRUE(samples_at(before, site).empty());
  std::multiset<std::pair<uint64_t, uint64_t>> expected, recorded;
  std::map<uint64_t, std::string> what;
  for (const auto& l : o.all("live")) {
    expected.emplace(parse_number(l.at(0)), parse_number(l.at(1)));
    std::string& w = what[parse_number(l.at(0))];
    for (size_t i = 2; i < l.size(); ++i) w += (i > 2 ? " " : "") + l[i];
  }
  ASSERT_EQ(expected.size(), 20u) << "hooks_program keeps 20 blocks live";
  for (const heapdrift::Sample& s : samples_at(after, site)) {
    recorded.emplace(s.address, s.size);
    EXPECT_EQ(s.weight, 1.0) << "sample at " << std::hex << s.address;
  }
  for (const auto& e : expected) {
    EXPECT_EQ(recorded.count(e), 1u) << "live block of " << what[e.first] << " (" << e.second
                                     << " bytes at 0x" << std::hex << e.first << ") recorded "
                                     << std::dec << recorded.count(e) << " times";
  }
  for (const auto& r : recorded) {
    EXPECT_EQ(expected.count(r), 1u) << "sample of " << r.second << " bytes at 0x" << std::hex << r.first
                                     << " is not a block the program kept";
  }
}

// At the default rate the calls go through the hooks' fast path, which counts them in
// the thread's own counters before calling the allocator (so failed calls count too,
// docs/SAMPLING.md) and ends free(NULL) and delete of null in the hook itself: the call
// counts must be just as exact.
TEST(hooks, every_entry_point_counted_exactly_at_the_default_rate) {
  ScratchDir scratch;
  HooksRun run = run_hooks(scratch, {}, {{"HEAPDRIFT_SAMPLE_RATE", "512KiB"}});
  ASSERT_TRUE(run.result.exited_with(0)) << run.result.describe();
  const ProgramOutput& o = *run.out;
  EXPECT_TRUE(o.all("unexpected").empty()) << "libc misbehaved under the shim:\n" << run.result.out;
  auto snaps = o.all("snaps").at(0);
  heapdrift::Snapshot before = read_numbered(run.process_dir, parse_number(snaps.at(0)));
  heapdrift::Snapshot after = read_numbered(run.process_dir, parse_number(snaps.at(1)));
  EXPECT_EQ(after.process.sample_rate, 512u * 1024);
  EXPECT_EQ(counter(after, "alloc_calls") - counter(before, "alloc_calls"),
            o.expect("alloc_calls") + o.expect("failed_calls"));
  EXPECT_EQ(counter(after, "free_calls") - counter(before, "free_calls"), o.expect("free_calls"));
}

// A throwing operator new that fails allocates its std::bad_alloc inside the real
// operator new and frees it when the handler ends: the region frees all it allocates,
// so whatever the shim counts there must balance.
TEST(hooks, failed_throwing_new_leaves_counters_balanced) {
  ScratchDir scratch;
  HooksRun run = run_hooks(scratch, {"throw"});
  ASSERT_TRUE(run.result.exited_with(0)) << run.result.describe();
  const ProgramOutput& o = *run.out;
  EXPECT_TRUE(o.all("unexpected").empty()) << run.result.out;
  auto snaps = o.all("snaps").at(0);
  heapdrift::Snapshot before = read_numbered(run.process_dir, parse_number(snaps.at(1)));
  heapdrift::Snapshot after = read_numbered(run.process_dir, parse_number(snaps.at(2)));
  auto delta = [&](const char* key) { return counter(after, key) - counter(before, key); };
  EXPECT_EQ(delta("alloc_calls"), delta("free_calls"));
  EXPECT_EQ(delta("alloc_bytes"), delta("free_bytes"));
  EXPECT_TRUE(samples_at(after, site_range(o, "throwing")).empty());
}

// The shim's writer thread carries a name of its own (top -H, /proc), beside the
// program's one thread.
TEST(hooks, the_writer_thread_is_named_heapdrift) {
  ScratchDir scratch;
  HooksRun run = run_hooks(scratch, {}, {{"HEAPDRIFT_SAMPLE_RATE", "512KiB"}});
  ASSERT_TRUE(run.result.exited_with(0)) << run.result.describe();
  std::multiset<std::string> names;
  for (const auto& t : run.out->all("thread")) names.insert(t.empty() ? "" : t.at(0));
  EXPECT_EQ(names, (std::multiset<std::string>{"heapdrift", "hooks_program"})) << run.result.out;
}

}  // namespace
}  // namespace shimtest
