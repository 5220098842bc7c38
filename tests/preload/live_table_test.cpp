#include "live_table.h"

#include "internal_alloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "page_faults.h"
#include "sanitized.h"

namespace heapdrift {
namespace {

LiveEntry entry(uintptr_t address, uint64_t size = 16) { return {address, size, 1, 3, 4}; }

std::vector<LiveEntry> contents(LiveTable& table) {
  std::vector<LiveEntry> all, shard(1 << 16);
  for (unsigned i = 0; i < LiveTable::kShards; ++i) {
    size_t n = table.copy_shard(i, shard.data(), shard.size());
    EXPECT_LE(n, shard.size());
    all.insert(all.end(), shard.begin(), shard.begin() + n);
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.address < b.address; });
  return all;
}

TEST(LiveTable, InsertEraseAndLookup) {
  PageFilter filter;
  LiveTable table(1000, &filter);
  EXPECT_FALSE(table.erase(0x1000));
  EXPECT_TRUE(table.insert(entry(0x1000, 32)));
  EXPECT_TRUE(table.insert(entry(0x2000, 64)));
  EXPECT_EQ(table.size(), 2u);
  LiveEntry removed{};
  EXPECT_TRUE(table.erase(0x1000, &removed));
  EXPECT_EQ(removed.size, 32u);
  EXPECT_FALSE(table.erase(0x1000));
  EXPECT_EQ(table.size(), 1u);
}

TEST(LiveTable, WithoutAFilterEveryEraseLooks) {  // exact mode
  LiveTable table(1000, nullptr);
  EXPECT_TRUE(table.insert(entry(0x1000, 32)));
  EXPECT_FALSE(table.erase(0x1010));
  LiveEntry removed{};
  EXPECT_TRUE(table.erase(0x1000, &removed));
  EXPECT_EQ(removed.size, 32u);
  EXPECT_EQ(table.size(), 0u);
}

// The shards' first arrays share one mapping made with the table: a first sample in
// every shard maps nothing more, growing past it maps the shard's own array, and the
// table gives all of it back when it goes.
TEST(LiveTable, FirstArraysShareOneMapping) {
  const uint64_t before = internal_mapped_bytes();
  {
    PageFilter filter;
    LiveTable table(1 << 20, &filter);
    const uint64_t with_table = internal_mapped_bytes();
    const uint64_t initial = table.mapped_bytes();
    EXPECT_EQ(with_table - before, (initial + 4095) / 4096 * 4096);
    // 1,024 blocks, each in its own 64 KiB region: every shard gets some, none more
    // than its first array holds (12, at its load limit of 3/4).
    std::vector<uintptr_t> kept;
    for (uintptr_t a = 0x100000000; kept.size() < 4 * LiveTable::kShards; a += 1 << 16) {
      ASSERT_TRUE(table.insert(entry(a)));
      kept.push_back(a);
    }
    std::vector<LiveEntry> shard(64);
    for (unsigned i = 0; i < LiveTable::kShards; ++i) ASSERT_GT(table.copy_shard(i, shard.data(), 64), 0u) << i;
    EXPECT_EQ(internal_mapped_bytes(), with_table) << "a shard's first samples mapped memory";
    EXPECT_EQ(table.mapped_bytes(), initial);
    // 40 more blocks in one region: its shard grows twice, to 64 entries.
    for (uintptr_t a = 0x7f0000000000; a < 0x7f0000000000 + 40 * 16; a += 16) {
      ASSERT_TRUE(table.insert(entry(a)));
      kept.push_back(a);
    }
    EXPECT_EQ(table.mapped_bytes(), initial + 64 * sizeof(LiveEntry));
    EXPECT_EQ(internal_mapped_bytes(), with_table + 4096);
    for (uintptr_t a : kept) ASSERT_TRUE(table.erase(a)) << std::hex << a;
    EXPECT_EQ(table.size(), 0u);
  }
  EXPECT_EQ(internal_mapped_bytes(), before);
}

// Page faults taken inserting one block into each 64 KiB region from 0x200000000: one
// per shard's first array, four times over, none needing more room.
long faults_of_first_samples(LiveTable& table) {
  long before = thread_page_faults();
  for (uintptr_t a = 0x200000000, n = 0; n < 4 * LiveTable::kShards; a += 1 << 16, ++n) {
    EXPECT_TRUE(table.insert(entry(a)));
  }
  return thread_page_faults() - before;
}

// Samples land in the first arrays at random, each read before it is written: on a
// page never touched, a fault for the read (the zero page) and another for the write.
TEST(LiveTable, PopulatedFirstArraysTakeTheirFirstSamplesWithoutFaults) {
  if (kSanitized) GTEST_SKIP() << "a sanitizer's shadow pages fault too";
  LiveTable lazy(1 << 20, nullptr);
  long lazy_faults = faults_of_first_samples(lazy);
  EXPECT_GE(lazy_faults, 40) << "the 40 pages of first arrays, untouched before";

  LiveTable populated(1 << 20, nullptr);
  populated.populate();
  // None expected; two spare for the kernel's own (a page moved by compaction faults again).
  EXPECT_LE(faults_of_first_samples(populated), 2);
  EXPECT_EQ(populated.size(), 4u * LiveTable::kShards);
}

TEST(LiveTable, GrowsAndSurvivesBackwardShiftDeletion) {
  PageFilter filter;
  LiveTable table(1 << 20, &filter);
  // Addresses 16 bytes apart, as malloc hands them out: many share a shard and collide.
  for (uintptr_t a = 0x10000; a < 0x10000 + 16 * 50000; a += 16) ASSERT_TRUE(table.insert(entry(a)));
  for (uintptr_t a = 0x10000; a < 0x10000 + 16 * 50000; a += 32) ASSERT_TRUE(table.erase(a)) << a;
  auto all = contents(table);
  ASSERT_EQ(all.size(), 25000u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].address, 0x10000 + 16 + 32 * i);
  for (uintptr_t a = 0x10000; a < 0x10000 + 16 * 50000; a += 32) EXPECT_FALSE(table.erase(a));
}

TEST(LiveTable, ConcurrentInsertAndEraseFromManyThreads) {
  PageFilter filter;
  LiveTable table(1 << 22, &filter);
  constexpr int threads = 4, per_thread = 200000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&table, t] {
      uintptr_t base = (uintptr_t(t) + 1) << 32;
      for (int i = 0; i < per_thread; ++i) {
        ASSERT_TRUE(table.insert(entry(base + 16 * uintptr_t(i), i)));
        // Free most of them again soon after, as a program would; keep every 10th.
        if (i >= 5 && (i - 5) % 10 != 0) {
          ASSERT_TRUE(table.erase(base + 16 * uintptr_t(i - 5)));
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  auto all = contents(table);
  // Kept: i % 10 == 0, plus the last five of each thread, never reached by the eraser.
  auto kept = [](uint64_t i) { return i % 10 == 0 || i >= per_thread - 5; };
  size_t expected = 0;
  for (int i = 0; i < per_thread; ++i) expected += kept(i);
  EXPECT_EQ(all.size(), expected * threads);
  EXPECT_EQ(table.size(), expected * threads);
  for (const LiveEntry& e : all) {
    uint64_t i = (e.address & 0xffffffffu) / 16;
    EXPECT_TRUE(kept(i)) << std::hex << e.address;
    EXPECT_EQ(e.size, i);
  }
}

TEST(LiveTable, DropsAndCountsPastItsCap) {
  PageFilter filter;
  const uint64_t cap = 1000;
  LiveTable table(cap, &filter);
  // Blocks spread over many 64 KiB regions (so over every shard), then all in one.
  for (uintptr_t step : {uintptr_t{1} << 16, uintptr_t{16}}) {
    SCOPED_TRACE(step);
    const uintptr_t base = uintptr_t{1} << 40;
    const uint64_t dropped_before = table.dropped();
    uint64_t inserted = 0;
    for (uintptr_t i = 0; i < 10000; ++i) inserted += table.insert(entry(base + i * step));
    EXPECT_EQ(table.size(), inserted);
    EXPECT_EQ(table.dropped() - dropped_before, 10000 - inserted);
    // Checked when a shard grows: never under the cap, never much more than twice it.
    EXPECT_GE(inserted, cap);
    EXPECT_LE(inserted, 2 * cap + LiveTable::kShards * 16);
    for (uintptr_t i = 0; i < 10000; ++i) table.erase(base + i * step);
    EXPECT_EQ(table.size(), 0u);
  }
}

TEST(LiveTable, ResetAfterForkEmptiesEverything) {
  PageFilter filter;
  filter.pin(0, 1);
  LiveTable table(1000, &filter);
  table.insert(entry(0x1000));
  table.insert(entry(0x5000));
  table.lock_all();  // as if a thread held the locks at fork
  table.reset_after_fork();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_FALSE(filter.may_hold(0x1000));
  EXPECT_FALSE(filter.may_hold(0x5000));
  EXPECT_TRUE(filter.may_hold(0));  // pins stay
  EXPECT_FALSE(table.erase(0x1000));
  EXPECT_TRUE(table.insert(entry(0x1000)));  // the locks work again
}

TEST(LiveTable, CopyShardReportsWhenTheBufferIsTooSmall) {
  PageFilter filter;
  LiveTable table(1 << 20, &filter);
  for (uintptr_t a = 0x1000; a < 0x1000 + 16 * 100000; a += 16) table.insert(entry(a));
  LiveEntry small[2];
  size_t total = 0;
  for (unsigned i = 0; i < LiveTable::kShards; ++i) total += table.copy_shard(i, small, 0);
  EXPECT_EQ(total, 100000u);
}

}  // namespace
}  // namespace heapdrift
