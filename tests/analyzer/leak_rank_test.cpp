// The leak verdicts on simulated programs: each scenario generates its blocks (birth,
// death, size), the real sampler picks the sampled ones, and snapshots every 5 s over
// a minute record which sampled blocks are live, as the shim would. Seeds are fixed,
// so the test is deterministic; each scenario is judged under 10 sampling seeds.
#include "leak_rank.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "sampler.h"

namespace heapdrift {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();
constexpr uint64_t kInterval = 64 * 1024;
constexpr double kRun = 60;  // seconds

struct Block {
  double birth, death;
  size_t size;
};

class Program {
 public:
  explicit Program(uint64_t seed) : rng_(seed) {}
  std::vector<Block> blocks;

  // Blocks of 1-8 KiB at `rate` bytes/s (Poisson) during [from, to), each living
  // `lifetime(rng)` seconds.
  void allocate(double rate, double from, double to, std::function<double(std::mt19937_64&)> lifetime) {
    std::uniform_int_distribution<size_t> size(1024, 8192);
    std::exponential_distribution<double> gap(rate / 4608.0);
    for (double t = from + gap(rng_); t < to; t += gap(rng_)) {
      double life = lifetime(rng_);
      blocks.push_back({t, t + life, size(rng_)});
    }
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

double forever(std::mt19937_64&) { return kNever; }

struct Observation {
  Timeline timeline;
  std::vector<TrackedSample> samples;
};

Observation observe(std::vector<Block> blocks, uint64_t seed) {
  Observation o;
  for (double t = 5; t <= kRun; t += 5) o.timeline.snapshot_ns.push_back(uint64_t(t * 1e9));
  std::sort(blocks.begin(), blocks.end(), [](auto& a, auto& b) { return a.birth < b.birth; });
  const Sampler sampler(kInterval);
  Sampler::State state{};
  sampler.seed(state, seed);
  const auto& snaps = o.timeline.snapshot_ns;
  for (const Block& b : blocks) {
    if (!Sampler::countdown(state, b.size) || !sampler.sample(state, b.size, seed)) continue;
    int first = -1, last = -1;
    for (size_t k = 0; k < snaps.size(); ++k) {
      double t = snaps[k] / 1e9;
      if (b.birth <= t && t < b.death) {
        if (first < 0) first = int(k);
        last = int(k);
      }
    }
    if (first < 0) continue;  // born and dead between two snapshots: never seen
    double w = sampler.weight(b.size);
    o.samples.push_back({uint64_t(b.birth * 1e9), b.size * w, w, uint32_t(first), uint32_t(last)});
  }
  return o;
}

using Scenario = std::function<void(Program&)>;

void expect_verdict(const Scenario& scenario, bool leak) {
  LeakCriteria criteria;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Program p(1000 + seed);
    scenario(p);
    Observation o = observe(p.blocks, seed);
    Verdict v = judge_site(o.timeline, o.samples, criteria);
    EXPECT_EQ(v.leak, leak) << "seed " << seed << ": " << v.reason << " (z " << v.window.z << ", growth "
                            << v.window.growth << ", segments " << v.window.segments_with_survivors
                            << ", retention " << v.window.retention << ", worst step " << v.window.worst_step << ")";
  }
}

TEST(LeakRank, SteadyLeakIsReported) {
  expect_verdict([](Program& p) { p.allocate(100e3, 0, kRun, forever); }, true);
}

TEST(LeakRank, PartialLeakIsReported) {
  // Two blocks in three are freed after a few seconds; the third is never freed.
  expect_verdict([](Program& p) {
    p.allocate(450e3, 0, kRun, [](std::mt19937_64& rng) { return rng() % 3 ? 3.0 : kNever; });
  }, true);
}

TEST(LeakRank, LeakStartingHalfWayIsReported) {
  expect_verdict([](Program& p) { p.allocate(150e3, 30, kRun, forever); }, true);
}

TEST(LeakRank, CacheThatFillsThenPlateausIsNot) {
  expect_verdict([](Program& p) { p.allocate(1e6, 0, 8, forever); }, false);
}

TEST(LeakRank, CacheThatEvictsTheOldestIsNot) {
  expect_verdict([](Program& p) { p.allocate(200e3, 0, kRun, [](std::mt19937_64&) { return 10.0; }); }, false);
}

TEST(LeakRank, ChurnIsNot) {
  expect_verdict([](Program& p) { p.allocate(4e6, 0, kRun, [](std::mt19937_64&) { return 0.005; }); }, false);
}

TEST(LeakRank, LargeStableBufferIsNot) {
  expect_verdict([](Program& p) { p.blocks.push_back({0.1, kNever, 64u << 20}); }, false);
}

TEST(LeakRank, OscillationThatEndsHighIsNot) {
  // Grows for 12.9 s, frees everything, starts again: the run ends 8 s into a cycle.
  expect_verdict([](Program& p) {
    for (double cycle = 0; cycle < kRun; cycle += 13) {
      double end = cycle + 12.9;
      p.allocate(400e3, cycle, std::min(end, kRun), [end](std::mt19937_64&) { return 0.0; });
      for (auto& b : p.blocks) {
        if (b.birth >= cycle && b.death == b.birth) b.death = end;
      }
    }
  }, false);
}

TEST(LeakRank, StationaryNoiseIsNot) {
  // Constant arrivals, exponential lifetimes of mean 15 s: a pool whose size wanders.
  expect_verdict([](Program& p) {
    p.allocate(200e3, 0, kRun, [](std::mt19937_64& rng) { return std::exponential_distribution<double>(1 / 15.0)(rng); });
  }, false);
}

TEST(LeakRank, EstimatesFollowTheSeriesAndTheAgeHistogramShowsEveryPeriod) {
  Program p(7);
  p.allocate(100e3, 0, kRun, forever);
  double truth_end = 0;
  for (const Block& b : p.blocks) truth_end += b.size;
  Observation o = observe(p.blocks, 3);
  Verdict v = judge_site(o.timeline, o.samples, LeakCriteria{});
  ASSERT_EQ(v.live.size(), 12u);
  for (size_t k = 1; k < v.live.size(); ++k) EXPECT_GE(v.live[k], v.live[k - 1]);
  // The final estimate is within 5.5 of its own standard errors of the truth.
  EXPECT_NEAR(v.live.back(), truth_end, 5.5 * std::sqrt(v.live_variance.back()));
  EXPECT_NEAR(v.slope, 100e3, 0.5 * 100e3);
  for (double bin : v.age_histogram) EXPECT_GT(bin, 0);
}

// The histogram is of the bytes alive at the last snapshot judged: a block first seen
// in a later one (the exit snapshot, left out of the test) was not, however long it
// lived; before, it went into the last bin, which then held a steady leak's end.
TEST(LeakRank, TheAgeHistogramEndsAtTheLastSnapshotJudged) {
  Timeline judged{0, {uint64_t(1e9), uint64_t(2e9), uint64_t(3e9)}};
  std::vector<TrackedSample> samples = {{uint64_t(0.5e9), 1000, 1, 0, 3},
                                        {uint64_t(1.5e9), 2000, 1, 1, 3},
                                        {uint64_t(2.5e9), 4000, 1, 2, 3},
                                        {uint64_t(8e9), 8000, 1, 3, 3}};
  LeakCriteria criteria;
  criteria.histogram_bins = 3;
  Verdict v = judge_site(judged, samples, criteria);
  EXPECT_EQ(v.age_histogram, (std::vector<double>{1000, 2000, 4000}));
}

TEST(LeakRank, TooFewSnapshotsDecideNothing) {
  Timeline t{0, {uint64_t(1e9), uint64_t(2e9)}};
  std::vector<TrackedSample> samples = {{uint64_t(1.5e9), 1e6, 1, 1, 1}};
  Verdict v = judge_site(t, samples, LeakCriteria{});
  EXPECT_FALSE(v.leak);
  EXPECT_EQ(v.reason, "needs at least 3 snapshots");
}

TEST(LeakRank, DetectionFloorIsTheRateOfTheSmallestDetectableLeak) {
  Timeline t;
  for (double s = 5; s <= kRun; s += 5) t.snapshot_ns.push_back(uint64_t(s * 1e9));
  double floor = detection_floor(t, kInterval, LeakCriteria{});
  // 16 samples of 64 KiB over the last 30 s.
  EXPECT_NEAR(floor, 16 * kInterval / 30.0, 1.0);
  // A leak at three times the floor is found under every seed.
  expect_verdict([floor](Program& p) { p.allocate(3 * floor, 0, kRun, forever); }, true);
}

}  // namespace
}  // namespace heapdrift
