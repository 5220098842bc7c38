// dlopen: in exact mode (every allocation unwinds), 2 threads dlopen/dlclose a small
// library that allocates in its constructor while 2 threads allocate and free
// (dlopen_program). It must finish in time, with both unwinders, and leave a readable
// exit snapshot in which every allocation was sampled. A failed dlopen's message must
// reach dlerror() whatever the shim sampled meanwhile.
#include <gtest/gtest.h>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

void check_dlopen_churn(const std::string& unwind, double seconds) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({DLOPEN_PROGRAM, DLOPEN_VICTIM, std::to_string(seconds)},
                            shim_env(rec, {{"HEAPDRIFT_UNWIND", unwind}}), seconds + 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput o(r.out);
  EXPECT_GT(o.number("rounds"), 0u) << "no dlopen/dlclose cycle completed";
  EXPECT_EQ(o.number("errors"), 0u);

  std::vector<NumberedSnapshot> series;
  ASSERT_NO_THROW(series = read_process_snapshots(rec / std::to_string(r.pid)));
  ASSERT_FALSE(series.empty()) << "no snapshot";
  const heapdrift::Snapshot& last = series.back().snapshot;
  EXPECT_EQ(last.process.trigger, heapdrift::format::Trigger::kExit);
  EXPECT_EQ(last.process.pid, static_cast<uint32_t>(r.pid));
  EXPECT_GE(counter(last, "alloc_calls"), o.number("allocs"));
  // Every thread was joined before exit: in exact mode each allocation is a sample.
  EXPECT_EQ(counter(last, "sampled_allocs"), counter(last, "alloc_calls"));
  EXPECT_EQ(counter(last, "dropped_samples"), 0u);
  for (const heapdrift::Sample& s : last.samples) {
    EXPECT_EQ(s.weight, 1.0);
    if (s.stack_id != 0) {
      EXPECT_FALSE(last.stacks.at(s.stack_id).frames.empty());
    }
  }
}

// A failed dlopen's message, under a sampling rate small enough that the process's
// first samples fall between the failed call and dlerror() (`between`) or inside
// dlerror's own malloc (`inside`, for some seeds): the shim used to look up a loader
// function on its first walk, which lost the message in the first case and freed
// glibc's record of it under dlerror in the second (a crash, or a corrupted heap).
// Each seed places the samples elsewhere.
void check_dlerror_kept(const char* when, const std::string& rate, int seeds) {
  for (int seed = 1; seed <= seeds; ++seed) {
    ScratchDir scratch;
    RunResult r = run_program({DLERROR_PROGRAM, when},
                              shim_env(scratch.path() / "rec", {{"HEAPDRIFT_SAMPLE_RATE", rate},
                                                                {"HEAPDRIFT_SEED", std::to_string(seed)}}),
                              30, scratch.path());
    ASSERT_TRUE(r.exited_with(0)) << "seed " << seed << ": " << r.describe();
    EXPECT_EQ(ProgramOutput(r.out).number("checked"), 3u);
  }
}

TEST(dlopen, a_failed_dlopens_message_outlives_samples_taken_before_dlerror) {
  check_dlerror_kept("between", "4096", 5);
}

TEST(dlopen, a_failed_dlopens_message_outlives_samples_taken_inside_dlerror) {
  check_dlerror_kept("inside", "256", 40);
}

TEST(dlopen, churn_with_libunwind_finishes) { check_dlopen_churn("libunwind", 3); }

TEST(dlopen, churn_with_frame_pointers_finishes) { check_dlopen_churn("fp", 3); }

TEST(dlopen_slow, long_churn_with_libunwind_finishes) { check_dlopen_churn("libunwind", 30); }

TEST(dlopen_slow, long_churn_with_frame_pointers_finishes) { check_dlopen_churn("fp", 30); }

}  // namespace
}  // namespace shimtest
