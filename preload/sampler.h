// Byte-based Poisson sampling (docs/SAMPLING.md has the derivation).
//
// Picture every byte ever allocated by a thread laid end to end, and sampling points
// scattered on that line as a Poisson process with mean spacing T (the sample rate).
// An allocation of s bytes is sampled when at least one point falls inside it, which
// happens with probability p(s) = 1 - exp(-s/T), independently of every other
// allocation (disjoint intervals of a Poisson process are independent).
//
// The process is kept as a countdown: the distance to the next point. An unsampled
// allocation only subtracts its size. When the countdown would go below zero the
// allocation is sampled and, the process being memoryless, a fresh exponential
// distance is drawn from the end of that allocation.
//
// Each sample carries weight w = 1/p(s): sum(size * w) over the live samples is an
// unbiased (Horvitz-Thompson) estimate of the live bytes, with variance estimated by
// sum(size^2 * w * (w - 1)). T = 1 means every allocation, with weight 1.
//
// NB: not thread-safe; the shim keeps one State per thread.
#ifndef HEAPDRIFT_PRELOAD_SAMPLER_H
#define HEAPDRIFT_PRELOAD_SAMPLER_H

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace heapdrift {

class Sampler {
 public:
  // Plain data so that it can live in initial-exec TLS, zero-initialised. A zero
  // state is "not seeded yet": its first allocation takes the slow path.
  struct State {
    int64_t bytes_until_sample;
    uint64_t rng;
    bool seeded;
  };

  explicit Sampler(uint64_t mean_interval) : mean_(mean_interval ? mean_interval : 1) {}

  uint64_t mean_interval() const { return mean_; }
  bool exact() const { return mean_ == 1; }

  void seed(State& s, uint64_t seed) const {
    s.rng = seed;
    s.seeded = true;
    s.bytes_until_sample = next_interval(s);
  }

  // The fast path: true when the slow path must run (an unseeded state included).
  static bool countdown(State& s, size_t size) {
    s.bytes_until_sample -= static_cast<int64_t>(size ? size : 1);
    return s.bytes_until_sample < 0;
  }

  // The slow path, after countdown() returned true: whether this allocation is a
  // sample. A sample re-arms the countdown from the end of the allocation.
  bool sample(State& s, size_t size, uint64_t fallback_seed) const {
    if (!s.seeded) {  // first allocation of this thread: its countdown was never drawn
      seed(s, fallback_seed);
      return countdown(s, size) && sample(s, size, fallback_seed);
    }
    s.bytes_until_sample = next_interval(s);
    return true;
  }

  // 1/p(s): the inverse of the probability that an allocation of `size` is sampled.
  double weight(size_t size) const {
    if (exact()) return 1.0;
    double s = static_cast<double>(size ? size : 1);
    return 1.0 / -std::expm1(-s / static_cast<double>(mean_));
  }

  // splitmix64: small state, good enough statistics, no allocation.
  static uint64_t next_random(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  // An exponential distance with mean T, floored: floor(E) < s exactly when E < s for
  // integer s, so the flooring changes no probability. Exact mode draws 0.
  int64_t next_interval(State& s) const {
    if (exact()) return 0;
    // 53 random bits -> u in (0, 1]; -log(u) is Exp(1).
    double u = static_cast<double>((next_random(s.rng) >> 11) + 1) * 0x1.0p-53;
    double d = -std::log(u) * static_cast<double>(mean_);
    return d >= 9.0e18 ? INT64_MAX : static_cast<int64_t>(d);
  }

  uint64_t mean_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_SAMPLER_H
