#include "leak_rank.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace heapdrift {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The snapshot closest to `fraction` of the way from the first to the last, leaving
// at least one interval after it.
uint32_t snapshot_at(const Timeline& t, double fraction) {
  const auto& s = t.snapshot_ns;
  double target = double(s.front()) + fraction * double(s.back() - s.front());
  uint32_t best = 0;
  for (uint32_t k = 0; k + 1 < s.size(); ++k) {
    if (std::fabs(double(s[k]) - target) < std::fabs(double(s[best]) - target)) best = k;
  }
  return best;
}

// Growth from snapshot `from` to `to` as births minus deaths. Under the null hypothesis
// (births and deaths are Poisson events at equal rates), each sampled event adds its
// bytes² to the variance: the allocation process's own randomness and the sampling's
// together (for exact mode too, where the sampling adds nothing).
struct Change {
  double growth = 0, variance = 0;
  void birth(const TrackedSample& s) { growth += s.bytes, variance += s.bytes * s.bytes; }
  void death(const TrackedSample& s) { growth -= s.bytes, variance += s.bytes * s.bytes; }
};

Change change(const std::vector<TrackedSample>& samples, uint32_t from, uint32_t to) {
  Change c;
  for (const TrackedSample& s : samples) {
    bool alive_at_start = s.first <= from && s.last >= from;
    bool alive_at_end = s.first <= to && s.last >= to;
    if (alive_at_end && !alive_at_start && s.first > from) c.birth(s);
    else if (alive_at_start && !alive_at_end) c.death(s);
  }
  return c;
}

// The step from snapshot k to k + 1 is the births at k + 1 (first == k + 1) and the
// deaths at k (last == k): gathered once per site, so that testing every step of a
// window costs O(samples + snapshots), not O(samples × snapshots).
struct Steps {
  std::vector<Change> born, died;  // by snapshot

  Steps(const std::vector<TrackedSample>& samples, size_t n) : born(n), died(n) {
    for (const TrackedSample& s : samples) {
      if (s.first < n) born[s.first].birth(s);
      if (s.last < n) died[s.last].death(s);
    }
  }
  Change step(uint32_t k) const {
    return {born[k + 1].growth + died[k].growth, born[k + 1].variance + died[k].variance};
  }
};

Window measure(const Timeline& t, const std::vector<TrackedSample>& samples, const Steps& steps, uint32_t from,
               const LeakCriteria& criteria) {
  Window w;
  w.from = from;
  w.to = static_cast<uint32_t>(t.snapshot_ns.size() - 1);
  Change total = change(samples, w.from, w.to);
  w.growth = total.growth;
  w.variance = total.variance;
  w.z = w.variance > 0 ? w.growth / std::sqrt(w.variance) : 0.0;

  // A leak keeps what it had; a pool or a cache turns over.
  double at_start = 0, kept = 0;
  for (const TrackedSample& s : samples) {
    if (s.first > w.from || s.last < w.from) continue;
    at_start += s.bytes;
    if (s.last >= w.to) kept += s.bytes;
  }
  w.retention = at_start > 0 ? kept / at_start : 1.0;

  // Where the survivors were born: a leak keeps blocks from every segment.
  const uint64_t begin = t.snapshot_ns[w.from], end = t.snapshot_ns[w.to];
  const double segment_ns = double(end - begin) / criteria.segments;
  std::vector<double> survivors(criteria.segments, 0.0);
  for (const TrackedSample& s : samples) {
    if (s.last < w.to || s.first <= w.from || s.birth_ns <= begin || segment_ns <= 0) continue;
    auto j = static_cast<size_t>(double(s.birth_ns - begin) / segment_ns);
    survivors[std::min<size_t>(j, criteria.segments - 1)] += s.bytes;
  }
  for (double b : survivors) w.segments_with_survivors += b > 0;
  w.survivors_in_last_segment = survivors.back() > 0;

  // Growth that continues does not fall back on the way.
  for (uint32_t k = w.from; k < w.to; ++k) {
    Change step = steps.step(k);
    if (step.growth >= 0) continue;
    w.worst_step = std::min(w.worst_step, step.growth);
    double tolerance = std::max(3 * std::sqrt(step.variance), criteria.max_fall * std::max(w.growth, 0.0));
    if (-step.growth > tolerance) w.reversed = true;
  }
  return w;
}

// Empty when the window shows sustained growth, else why not.
std::string why_not(const Window& w, const LeakCriteria& criteria) {
  if (w.growth <= 0) return "no growth in the late part of the run";
  if (w.z < criteria.min_z) return "growth within noise";
  if (w.segments_with_survivors < std::ceil(criteria.min_segments * criteria.segments) ||
      !w.survivors_in_last_segment) {
    return "surviving blocks were not born throughout the late part of the run (cache or burst)";
  }
  if (w.retention < criteria.min_retention) {
    return "most of what was live at the start of the late part was freed by its end (a pool that turns over)";
  }
  if (w.reversed) return "the live bytes fell back during the late part of the run";
  return {};
}

}  // namespace

Verdict judge_site(const Timeline& t, const std::vector<TrackedSample>& samples, const LeakCriteria& criteria) {
  Verdict v;
  const size_t n = t.snapshot_ns.size();
  if (n == 0) {
    v.reason = "no snapshots";
    return v;
  }
  v.live.assign(n, 0.0);
  v.live_variance.assign(n, 0.0);
  for (const TrackedSample& s : samples) {
    for (uint32_t k = s.first; k <= s.last && k < n; ++k) {
      v.live[k] += s.bytes;
      v.live_variance[k] += s.sampling_variance();
    }
  }
  v.growth = v.live.back() - v.live.front();

  const uint64_t end = t.snapshot_ns.back();
  const uint64_t start = std::min(t.start_ns, end);
  v.age_histogram.assign(criteria.histogram_bins, 0.0);
  const double bin_ns = double(end - start) / criteria.histogram_bins;
  for (const TrackedSample& s : samples) {
    if (s.first >= n || s.last + 1 < n) continue;  // not alive at the last snapshot judged
    double offset = s.birth_ns > start ? double(s.birth_ns - start) : 0.0;
    auto bin = bin_ns > 0 ? static_cast<size_t>(offset / bin_ns) : 0;
    v.age_histogram[std::min<size_t>(bin, criteria.histogram_bins - 1)] += s.bytes;
  }

  if (n < 3) {
    v.reason = "needs at least 3 snapshots";
    return v;
  }
  // The late half, and the late quarter (for a leak that started late in the run).
  const Steps steps(samples, n);
  for (double fraction : {0.5, 0.75}) {
    Window w = measure(t, samples, steps, snapshot_at(t, fraction), criteria);
    std::string reason = why_not(w, criteria);
    if (reason.empty() && (!v.leak || w.z > v.window.z)) {
      v.leak = true;
      v.window = w;
      v.reason = "steady growth";
    } else if (!v.leak && v.reason.empty()) {
      v.window = w;  // the late half's verdict explains a rejection
      v.reason = reason;
    }
  }
  double seconds = double(t.snapshot_ns[v.window.to] - t.snapshot_ns[v.window.from]) / 1e9;
  v.slope = seconds > 0 ? v.window.growth / seconds : 0;
  return v;
}

double detection_floor(const Timeline& t, uint64_t sample_rate, const LeakCriteria& criteria) {
  if (t.snapshot_ns.size() < 3) return kInfinity;
  uint32_t from = snapshot_at(t, 0.5);
  double seconds = double(t.snapshot_ns.back() - t.snapshot_ns[from]) / 1e9;
  if (seconds <= 0) return kInfinity;
  // A leak of blocks much smaller than the interval: each sample stands for
  // `sample_rate` bytes and z ≈ sqrt(samples); the survivors must also fall in most
  // segments of the window.
  double samples = std::max(criteria.min_z * criteria.min_z, 2.0 * criteria.segments);
  return samples * double(sample_rate) / seconds;
}

bool stronger(const Verdict& a, const Verdict& b) {
  if (a.window.z != b.window.z) return a.window.z > b.window.z;
  return a.slope > b.slope;
}

}  // namespace heapdrift
