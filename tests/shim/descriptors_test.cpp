// descriptors: the program owns the descriptor table. A daemon closes everything above
// 2 and reuses the numbers (descriptors_program); the shim, and libunwind inside it,
// must neither read nor write the program's files afterwards, must keep answering
// snapshot requests, and must keep walking whole stacks. Run twice: with the writer
// thread in a table of its own, and with unshare(2) forbidden, where it shares the
// program's table and must notice that its descriptor was taken.
#include <gtest/gtest.h>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

void check_daemon_start(bool seccomp) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  std::vector<std::string> argv = {DESCRIPTORS_PROGRAM, scratch.path().string()};
  if (seccomp) argv.push_back("seccomp");
  RunResult r = run_program(argv, shim_env(rec), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput o(r.out);

  // Nothing of the shim's in the program's table, but for the FIFO where the writer
  // thread had to share it; libunwind's pipe is no descriptor at all.
  EXPECT_EQ(o.number("fifos_at_start"), seccomp ? 1u : 0u) << r.out;
  for (const auto& line : o.all("intact")) {
    EXPECT_EQ(line.at(1), "1") << "file " << line.at(0) << " was read or written by the shim";
  }
  EXPECT_EQ(o.all("intact").size(), 6u);
  EXPECT_LE(o.number("fifos_at_end"), seccomp ? 1u : 0u);

  const uint64_t number = o.number("snap");
  ASSERT_NE(number, 0u) << "no answer to the request made after the descriptors were closed";
  const fs::path dir = rec / std::to_string(r.pid);
  std::vector<NumberedSnapshot> series = read_process_snapshots(dir);
  int on_demand = 0;
  for (const NumberedSnapshot& n : series) {
    on_demand += n.snapshot.process.trigger == heapdrift::format::Trigger::kOnDemand;
  }
  // Sharing the table, the writer answers the loss of its descriptor (a request may
  // have gone with it) with one snapshot more; never more than that.
  EXPECT_GE(on_demand, 1);
  EXPECT_LE(on_demand, seccomp ? 2 : 1) << "one request, " << on_demand << " on-demand snapshots";

  // Every kept block sampled, each stack whole: nine frames of the recursion, and the
  // thread's start below them.
  heapdrift::Snapshot s = read_numbered(dir, number);
  CodeRange site = site_range(o, "after_close");
  std::vector<heapdrift::Sample> samples = samples_at(s, site);
  EXPECT_EQ(samples.size(), 16u);
  for (const heapdrift::Sample& sample : samples) {
    const std::vector<uint64_t>& frames = s.stacks.at(sample.stack_id).frames;
    size_t in_site = 0;
    for (uint64_t pc : frames) in_site += site.contains(pc);
    EXPECT_EQ(in_site, 9u);
    EXPECT_GT(frames.size(), in_site) << "the walk stopped inside the recursion";
  }
}

TEST(descriptors, a_daemon_closing_everything_keeps_its_files_and_the_shim_answers) { check_daemon_start(false); }

TEST(descriptors, so_it_does_where_the_writer_thread_must_share_the_table) { check_daemon_start(true); }

}  // namespace
}  // namespace shimtest
