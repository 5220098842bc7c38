// Which snapshots to keep when a long run may keep only N of them (--max-snapshots).
// Leak analysis compares early with late, so the first and the newest snapshot always
// stay; the middle is thinned evenly: the snapshot to drop is the interior one whose
// neighbours are closest in time (removing it opens the smallest gap).
#ifndef HEAPDRIFT_PRELOAD_SNAPSHOT_SERIES_H
#define HEAPDRIFT_PRELOAD_SNAPSHOT_SERIES_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace heapdrift {

class SnapshotSeries {
 public:
  explicit SnapshotSeries(uint32_t max_kept) : max_kept_(max_kept) {}

  // Records a new snapshot; returns the sequence numbers to delete (empty when within
  // the limit, or when max_kept is 0: keep all).
  std::vector<uint32_t> add(uint32_t sequence, uint64_t mono_ns) {
    kept_.push_back({sequence, mono_ns});
    std::vector<uint32_t> dropped;
    while (max_kept_ >= 3 && kept_.size() > max_kept_) {
      size_t best = 1;
      for (size_t i = 2; i + 1 < kept_.size(); ++i) {
        if (gap(i) < gap(best)) best = i;
      }
      dropped.push_back(kept_[best].sequence);
      kept_.erase(kept_.begin() + static_cast<long>(best));
    }
    return dropped;
  }

  void clear() { kept_.clear(); }
  size_t size() const { return kept_.size(); }

 private:
  struct Entry {
    uint32_t sequence;
    uint64_t mono_ns;
  };
  uint64_t gap(size_t i) const { return kept_[i + 1].mono_ns - kept_[i - 1].mono_ns; }

  uint32_t max_kept_;
  std::vector<Entry> kept_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_SNAPSHOT_SERIES_H
