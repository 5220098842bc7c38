// exact_integration: `heapdrift record --sample-rate 1 -o DIR --interval 0 -- PROGRAM`
// end to end. The program (exact_program) keeps 1000 × 100 bytes at site a and churns
// 500 × 200 bytes at site b between two snapshots it asks for; read back through the
// reader, site a holds exactly 100000 live bytes, site b none, the counters moved by
// exactly what the program measured, and recording.json names the right process.
#include <gtest/gtest.h>

#include <string>

#include "recording.h"
#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

double live_bytes(const std::vector<heapdrift::Sample>& samples) {
  double sum = 0;
  for (const heapdrift::Sample& s : samples) sum += static_cast<double>(s.size) * s.weight;
  return sum;
}

TEST(exact_integration, record_exact_mode_gives_exact_live_bytes_and_counters) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  // `record` puts the shim in LD_PRELOAD itself (the test adds none).
  RunResult r = run_program({HEAPDRIFT_CLI, "record", "--sample-rate", "1", "-o", rec.string(), "--interval",
                             "0", "--", EXACT_PROGRAM},
                            {}, 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe() << "\nstdout: " << r.out;
  ProgramOutput o(r.out);
  const uint32_t pid = static_cast<uint32_t>(o.number("pid"));

  heapdrift::Recording recording;
  ASSERT_NO_THROW(recording = heapdrift::read_recording(rec));
  ASSERT_TRUE(recording.info.has_value()) << "no recording.json";
  EXPECT_EQ(recording.info->main_pid, pid);
  EXPECT_EQ(recording.info->sample_rate, 1u);
  EXPECT_EQ(recording.info->interval_ms, 0u);
  ASSERT_NE(recording.main_process(), nullptr);
  EXPECT_EQ(recording.main_process()->dir, rec / std::to_string(pid));

  auto snaps = o.all("snaps").at(0);
  const fs::path dir = rec / std::to_string(pid);
  heapdrift::Snapshot first = read_numbered(dir, parse_number(snaps.at(0)));
  heapdrift::Snapshot second = read_numbered(dir, parse_number(snaps.at(1)));
  EXPECT_EQ(second.process.pid, pid);
  EXPECT_EQ(second.process.sample_rate, 1u);
  EXPECT_EQ(second.process.trigger, heapdrift::format::Trigger::kOnDemand);

  const CodeRange a = site_range(o, "a"), b = site_range(o, "b");
  EXPECT_TRUE(samples_at(first, a).empty());
  EXPECT_EQ(samples_at(second, a).size(), 1000u);
  EXPECT_EQ(live_bytes(samples_at(second, a)), 100000.0);
  EXPECT_TRUE(samples_at(second, b).empty()) << "site b freed everything it allocated";
  EXPECT_EQ(live_bytes(samples_at(second, b)), 0.0);
  for (const char* key : {"alloc_calls", "free_calls", "alloc_bytes", "free_bytes"}) {
    EXPECT_EQ(counter(second, key) - counter(first, key), o.expect(key)) << "counter " << key;
  }
}

}  // namespace
}  // namespace shimtest
