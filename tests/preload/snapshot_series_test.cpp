#include "snapshot_series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace heapdrift {
namespace {

TEST(SnapshotSeries, KeepsAllWhenUnlimited) {
  SnapshotSeries series(0);
  for (uint32_t i = 1; i <= 100; ++i) EXPECT_TRUE(series.add(i, i * 1000).empty());
  EXPECT_EQ(series.size(), 100u);
}

TEST(SnapshotSeries, KeepsFirstAndLastAndThinsTheMiddleEvenly) {
  SnapshotSeries series(10);
  std::set<uint32_t> kept;
  for (uint32_t i = 1; i <= 1000; ++i) {
    kept.insert(i);
    for (uint32_t gone : series.add(i, uint64_t{i} * 1000000000)) {
      ASSERT_TRUE(kept.erase(gone)) << "dropped twice or never added: " << gone;
      EXPECT_NE(gone, 1u);
      EXPECT_NE(gone, i);
    }
    ASSERT_LE(kept.size(), 10u);
  }
  ASSERT_EQ(kept.size(), 10u);
  EXPECT_EQ(*kept.begin(), 1u);
  EXPECT_EQ(*kept.rbegin(), 1000u);
  // Evenly spread: no gap more than 3x the ideal spacing of 111.
  uint32_t previous = 0, widest = 0;
  for (uint32_t s : kept) {
    if (previous) widest = std::max(widest, s - previous);
    previous = s;
  }
  EXPECT_LE(widest, 333u);
}

}  // namespace
}  // namespace heapdrift
