// Statistical tests of the byte-based Poisson sampler (docs/SAMPLING.md).
//
// Each bound below is 5.5 standard deviations of the quantity tested, under the normal
// approximation (every estimate is a sum of thousands of independent terms). Two-sided,
// that is a false-failure probability of 3.8e-8 per check; with fewer than 25 checks in
// this file, below one in a million per run. The populations' sites are at least 20x
// the sampling interval, as the estimates are meant for such sites.
#include "sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace heapdrift {
namespace {

constexpr double kSigmas = 5.5;
constexpr uint64_t kInterval = 4096;

struct Allocation {
  size_t size;
  bool live;
};

// Log-uniform sizes from 16 B to 64 KiB; one in three stays live.
std::vector<Allocation> population(size_t n) {
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> log_size(std::log(16.0), std::log(65536.0));
  std::vector<Allocation> out;
  for (size_t i = 0; i < n; ++i) out.push_back({static_cast<size_t>(std::exp(log_size(rng))), i % 3 == 0});
  return out;
}

struct Estimate {
  double bytes = 0;     // sum of size * weight over live samples
  double variance = 0;  // sum of size^2 * w * (w - 1): the estimate of Var(bytes)
};

Estimate run(const Sampler& sampler, const std::vector<Allocation>& allocations, uint64_t seed) {
  Sampler::State state{};
  sampler.seed(state, seed);
  Estimate e;
  for (const Allocation& a : allocations) {
    if (!Sampler::countdown(state, a.size) || !sampler.sample(state, a.size, seed)) continue;
    if (!a.live) continue;
    double w = sampler.weight(a.size);
    e.bytes += a.size * w;
    e.variance += double(a.size) * a.size * w * (w - 1);
  }
  return e;
}

TEST(Sampler, LiveBytesEstimateIsUnbiasedWithTheStatedVariance) {
  const Sampler sampler(kInterval);
  const auto allocations = population(4000);
  double truth = 0, variance = 0;  // exact Horvitz-Thompson variance of the estimate
  for (const Allocation& a : allocations) {
    if (!a.live) continue;
    truth += a.size;
    double p = -std::expm1(-double(a.size) / kInterval);
    variance += double(a.size) * a.size * (1 - p) / p;
  }
  ASSERT_GT(truth, 20.0 * kInterval);

  const int seeds = 300;
  std::vector<Estimate> estimates;
  for (int s = 1; s <= seeds; ++s) estimates.push_back(run(sampler, allocations, 0x5eed0000u + s));

  double mean = 0, mean_var_estimate = 0;
  for (const Estimate& e : estimates) {
    mean += e.bytes / seeds;
    mean_var_estimate += e.variance / seeds;
  }
  double spread = 0, var_estimate_spread = 0;
  for (const Estimate& e : estimates) {
    spread += (e.bytes - mean) * (e.bytes - mean) / (seeds - 1);
    var_estimate_spread += (e.variance - mean_var_estimate) * (e.variance - mean_var_estimate) / (seeds - 1);
  }

  // Unbiased: the mean over seeds is within 5.5 standard errors of the truth.
  EXPECT_NEAR(mean, truth, kSigmas * std::sqrt(variance / seeds)) << "truth " << truth;
  // The spread across seeds is the predicted one: (n-1) s^2 / sigma^2 is chi-square
  // with 299 degrees of freedom, whose 5.5-sigma range is about [0.55, 1.45].
  EXPECT_GT(spread / variance, 0.55);
  EXPECT_LT(spread / variance, 1.45);
  // The per-sample variance estimate that reports print as error bars is unbiased too.
  EXPECT_NEAR(mean_var_estimate, variance, kSigmas * std::sqrt(var_estimate_spread / seeds));
}

TEST(Sampler, OneSeedEstimatesWithinItsErrorBar) {
  const Sampler sampler(kInterval);
  const auto allocations = population(20000);
  double truth = 0;
  for (const Allocation& a : allocations) truth += a.live ? a.size : 0;
  for (uint64_t seed : {1u, 2u, 3u}) {
    Estimate e = run(sampler, allocations, seed);
    EXPECT_NEAR(e.bytes, truth, kSigmas * std::sqrt(e.variance)) << "seed " << seed;
  }
}

TEST(Sampler, AnAllocationIsSampledWithProbabilityOneMinusExpOfSizeOverInterval) {
  const Sampler sampler(kInterval);
  for (size_t size : {size_t{64}, kInterval / 4, kInterval, 3 * kInterval}) {
    Sampler::State state{};
    sampler.seed(state, 99 + size);
    const int n = 200000;
    int sampled = 0;
    for (int i = 0; i < n; ++i) {
      if (Sampler::countdown(state, size) && sampler.sample(state, size, 0)) ++sampled;
    }
    double p = -std::expm1(-double(size) / kInterval);
    EXPECT_NEAR(double(sampled) / n, p, kSigmas * std::sqrt(p * (1 - p) / n)) << "size " << size;
    EXPECT_DOUBLE_EQ(sampler.weight(size), 1 / p);
  }
}

TEST(Sampler, ExactModeSamplesEveryAllocationWithWeightOne) {
  const Sampler sampler(1);
  Sampler::State state{};
  for (size_t size : {size_t{0}, size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 30}) {
    ASSERT_TRUE(Sampler::countdown(state, size));
    ASSERT_TRUE(sampler.sample(state, size, 5));
    EXPECT_EQ(sampler.weight(size), 1.0);
  }
}

TEST(Sampler, UnseededStateTakesTheSlowPathAndThenBehaves) {
  const Sampler sampler(kInterval);
  Sampler::State state{};
  EXPECT_TRUE(Sampler::countdown(state, 16));  // unseeded: slow path
  sampler.sample(state, 16, 7);
  EXPECT_TRUE(state.seeded);
  // Afterwards small allocations mostly stay on the fast path.
  int slow = 0;
  for (int i = 0; i < 1000; ++i) slow += Sampler::countdown(state, 16) && sampler.sample(state, 16, 7);
  EXPECT_LT(slow, 20);  // expected 1000*16/4096 ~ 3.9; 20 is 8 sigma above
}

TEST(Sampler, SameSeedSameDecisions) {
  const Sampler sampler(kInterval);
  const auto allocations = population(2000);
  EXPECT_EQ(run(sampler, allocations, 77).bytes, run(sampler, allocations, 77).bytes);
  EXPECT_NE(run(sampler, allocations, 77).bytes, run(sampler, allocations, 78).bytes);
}

}  // namespace
}  // namespace heapdrift
