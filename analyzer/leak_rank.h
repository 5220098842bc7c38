// Which allocation sites leak: a judgement on one site's sample history across the
// snapshots of one process (docs/LEAK_RANKING.md has the method and its assumptions).
//
// The evidence is in the samples, not in the per-snapshot totals. Successive snapshots
// share their surviving samples, so their estimates are strongly correlated and a
// regression over them is overconfident. Growth between two snapshots is instead
// (bytes born in between and still alive) − (bytes alive at the start and dead by the
// end): two disjoint sets of independently sampled blocks, whose variance is known
// exactly from their weights. The birth times of the survivors then tell a leak (it
// keeps blocks born in every period of the run) from a cache that filled early or that
// evicts (only old, or only young, blocks survive) and from churn (almost none).
#ifndef HEAPDRIFT_ANALYZER_LEAK_RANK_H
#define HEAPDRIFT_ANALYZER_LEAK_RANK_H

#include <cstdint>
#include <string>
#include <vector>

namespace heapdrift {

// One sampled block, followed across the snapshots of a process: it was live in
// snapshots first..last (indices into the snapshot times), and not in any other. Both
// may run past the timeline judged: snapshots taken after it (one left out) do not count.
struct TrackedSample {
  uint64_t birth_ns = 0;  // allocation time, CLOCK_MONOTONIC
  double bytes = 0;       // size × weight: the live bytes it stands for
  double weight = 1;      // 1 / probability of having been sampled
  uint32_t first = 0;
  uint32_t last = 0;

  // Its share of the sampling variance of a live-bytes estimate: size² w (w − 1).
  double sampling_variance() const { return bytes * bytes * (weight - 1) / weight; }
};

struct Timeline {
  uint64_t start_ns = 0;               // when the shim started in the process
  std::vector<uint64_t> snapshot_ns;   // increasing
};

struct LeakCriteria {
  double min_z = 4.0;           // one-sided significance of the late growth
  double min_retention = 0.5;   // share of the bytes live at the window's start still live at its end
  double min_segments = 0.75;   // share of late segments that must still hold survivors
  double max_fall = 0.25;       // a fall of more than this share of the growth (and 3 σ) is a reversal
  unsigned segments = 4;        // the late window is cut in this many segments
  unsigned histogram_bins = 10;
};

struct Window {
  uint32_t from = 0, to = 0;  // snapshot indices
  double growth = 0;          // estimated bytes, L[to] − L[from]: births − deaths
  double variance = 0;        // of `growth` if births and deaths were balanced Poisson events
  double z = 0;               // growth / sqrt(variance)
  unsigned segments_with_survivors = 0;
  bool survivors_in_last_segment = false;
  double retention = 1;       // share of the bytes live at `from` still live at `to` (1 if none)
  double worst_step = 0;      // the largest fall of the live estimate between two snapshots
  bool reversed = false;      // that fall was significant: the growth did not continue
};

struct Verdict {
  bool leak = false;
  std::string reason;               // why not (or "steady growth")
  std::vector<double> live;         // estimated live bytes at each snapshot
  std::vector<double> live_variance;  // sampling variance of each estimate
  Window window;                    // the late window that decided
  double slope = 0;                 // bytes per second over that window
  double growth = 0;                // over the whole run: live.back() − live.front()
  std::vector<double> age_histogram;  // bytes alive at the last snapshot by birth time,
                                      // bins of equal width from start_ns to the last snapshot
};

Verdict judge_site(const Timeline& timeline, const std::vector<TrackedSample>& samples,
                   const LeakCriteria& criteria);

// The smallest steady growth (bytes per second) of a site made of blocks much smaller
// than the sampling interval that the late-half test could have detected in this
// timeline.
double detection_floor(const Timeline& timeline, uint64_t sample_rate, const LeakCriteria& criteria);

// Sorting key: the strongest evidence first.
bool stronger(const Verdict& a, const Verdict& b);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_LEAK_RANK_H
