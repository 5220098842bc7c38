// signal_mask: the shim exports sigprocmask so that, inside its learning walks, which
// block every signal once, libunwind's own calls cost no system call
// (preload/signal_block.h). The program's mask and signals must not notice.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

TEST(signal_mask, learning_walks_leave_the_programs_mask_and_signals_alone) {
  ScratchDir scratch;
  RunResult r = run_program({SIGNAL_MASK_PROGRAM}, shim_env(scratch.path() / "rec"), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput o(r.out);
  EXPECT_EQ(o.number("sigprocmask_ok"), 1u);
  EXPECT_EQ(o.number("allocations"), 128u);
  EXPECT_EQ(o.number("mask_changed"), 0u);
  EXPECT_GT(o.number("delivered"), 0u);
}

// Counted by strace: the rt_sigprocmask system calls of the program's main thread
// (its other thread sends signals, and glibc's pthread_kill masks signals each time).
// Each allocation is sampled and its walk learns at most once, blocking and restoring
// the mask (two calls); libunwind's calls, about three for each frame it looks up (16
// or more a walk here), must not reach the kernel. The rest is the program's own few
// calls, thread start-up and exit.
TEST(signal_mask, libunwinds_calls_make_no_system_calls) {
  ScratchDir scratch;
  if (std::system("/usr/bin/strace -o /dev/null /bin/true 2>/dev/null") != 0) GTEST_SKIP() << "strace cannot trace here";
  const fs::path trace = scratch.path() / "trace";
  std::vector<std::string> argv = {"/usr/bin/strace", "-f", "-qq", "-e", "trace=rt_sigprocmask", "-o", trace.string(), "env"};
  for (const auto& [name, value] : shim_env(scratch.path() / "rec")) argv.push_back(name + "=" + value);
  argv.push_back(SIGNAL_MASK_PROGRAM);
  RunResult r = run_program(argv, {}, 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  uint64_t allocations = ProgramOutput(r.out).number("allocations");
  std::ifstream in(trace);
  std::string line;
  uint64_t calls = 0;
  std::string main_thread;  // the first pid strace names: the program's, after env's exec
  while (std::getline(in, line)) {
    std::string pid = line.substr(0, line.find(' '));
    if (main_thread.empty()) main_thread = pid;
    calls += pid == main_thread && line.find("rt_sigprocmask(") != std::string::npos;
  }
  EXPECT_GT(calls, 0u) << "strace saw no call: the count proves nothing";
  EXPECT_LE(calls, 2 * allocations + 50) << "libunwind's masking reached the kernel";
  std::printf("%llu rt_sigprocmask calls for %llu sampled allocations\n", static_cast<unsigned long long>(calls),
              static_cast<unsigned long long>(allocations));
}

}  // namespace
}  // namespace shimtest
