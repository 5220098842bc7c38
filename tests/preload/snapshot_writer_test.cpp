// Snapshots written while other threads allocate and free, as the writer thread writes
// them: each file is whole and consistent, read back by the analyzer's reader
// (snapshot_check.h).
#include "snapshot_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "snapshot_check.h"
#include "temp_dir.h"

namespace heapdrift {

// Distinct stacks by depth: the allocation is made `depth` calls further down.
__attribute__((noinline)) void snapshot_test_site(Recorder& r, ThreadState& t, uintptr_t address, size_t size,
                                                  int depth) {
  if (depth > 0) {
    snapshot_test_site(r, t, address, size, depth - 1);
  } else {
    ReentrancyGuard guard(t);
    r.on_alloc(t, reinterpret_cast<void*>(address), size, size);
  }
  asm volatile("" ::: "memory");  // no tail call: every level keeps its frame
}

namespace {

TEST(SnapshotWriter, SnapshotsWrittenWhileThreadsAllocateAreWholeAndConsistent) {
  Config config;
  config.sample_rate = 1;  // every block a sample: the most entries and stacks moving
  PageFilter filter;
  Recorder recorder(config, 0, 0, filter);
  test::TempDir dir;
  // Each thread keeps kDepths blocks all along, one from each depth, and churns a ring.
  constexpr int kThreads = 3, kRing = 512, kSnapshots = 12, kDepths = 7;
  constexpr uintptr_t kKeptOffset = uintptr_t{1} << 30;  // far from the ring's blocks
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> allocations{0};
  std::atomic<int> kept{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kThreads; ++w) {
    workers.emplace_back([&, w] {
      ThreadState state{};
      uintptr_t base = uintptr_t(w + 1) << 36;
      for (int depth = 0; depth < kDepths; ++depth) {
        uintptr_t block = base + kKeptOffset + 64 * depth;
        snapshot_test_site(recorder, state, block, test::block_size(block), depth);
      }
      kept.fetch_add(1);
      std::vector<uintptr_t> ring(kRing, 0);
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        uintptr_t& slot = ring[i % kRing];
        if (slot) {
          ReentrancyGuard guard(state);
          recorder.on_free(state, reinterpret_cast<void*>(slot), test::block_size(slot));
        }
        slot = base + 64 * (i % (8 * kRing));
        snapshot_test_site(recorder, state, slot, test::block_size(slot), static_cast<int>(i % 7));
        allocations.fetch_add(1, std::memory_order_relaxed);
      }
      recorder.detach(state);
    });
  }
  while (kept.load() < kThreads || allocations.load() < 1000) std::this_thread::yield();

  ProcessIdentity identity{1, 1, 0, 0};
  MemoryStatsReader memory;
  std::vector<uint64_t> during;  // allocations made while each snapshot was written
  for (uint32_t seq = 1; seq <= kSnapshots; ++seq) {
    uint64_t before = allocations.load();
    ASSERT_TRUE(write_snapshot(recorder, memory, identity, dir.path(), seq, format::Trigger::kPeriodic, nullptr))
        << strerror(errno);
    during.push_back(allocations.load() - before);
  }
  stop = true;
  for (auto& w : workers) w.join();

  uint64_t overlapped = 0;
  for (uint64_t n : during) overlapped += n > 0;
  EXPECT_GT(overlapped, 0u) << "no snapshot was written while the threads allocated";
  for (uint32_t seq = 1; seq <= kSnapshots; ++seq) {
    test::SnapshotCheck s = test::check_snapshot(snapshot_path(dir.path(), seq));
    ASSERT_EQ(s.error, "") << seq;
    // Shards are copied one after the other, not at one instant. So a ring's blocks may
    // all be missed (a thread that moved its whole ring from shards not yet copied to
    // shards already copied), but never the blocks kept all along; and at most there
    // are the blocks live when the snapshot began, those allocated meanwhile, and one
    // per thread between its allocation and its count.
    size_t kept_found = 0;
    for (uint64_t a : s.addresses) kept_found += (a & kKeptOffset) != 0;
    EXPECT_EQ(kept_found, size_t{kThreads} * kDepths);
    EXPECT_LE(s.samples, size_t{kThreads} * (kDepths + kRing) + during[seq - 1] + kThreads);
    EXPECT_EQ(s.live_samples, s.samples);
    EXPECT_EQ(s.odd_samples, 0u);
    EXPECT_GE(s.stacks, size_t{kDepths});
  }
}

// At a sampling rate, the live table keeps no weight: the writer gives each sample the
// weight of its size at the recorder's rate, which the reader must find.
TEST(SnapshotWriter, SamplesCarryTheWeightOfTheirSizeAtTheRate) {
  test::TempDir dir;
  Config config;
  config.sample_rate = 4096;
  config.seed = 7;
  config.seed_set = true;
  PageFilter filter;
  Recorder recorder(config, 0, 0, filter);
  ThreadState state{};
  for (uintptr_t i = 0; i < 4000; ++i) {
    const uintptr_t address = (uintptr_t{1} << 36) + 64 * i;
    snapshot_test_site(recorder, state, address, test::block_size(address), 0);
  }
  ProcessIdentity identity{1, 1, 0, 0};
  MemoryStatsReader memory;
  ASSERT_TRUE(write_snapshot(recorder, memory, identity, dir.path(), 1, format::Trigger::kOnDemand, nullptr))
      << strerror(errno);
  test::SnapshotCheck s = test::check_snapshot(snapshot_path(dir.path(), 1));
  ASSERT_EQ(s.error, "");
  EXPECT_GT(s.samples, 100u);  // about 2,000 KiB allocated, a sample per 4 KiB
  EXPECT_EQ(s.odd_samples, 0u);
  ReentrancyGuard guard(state);
  recorder.detach(state);
}

}  // namespace
}  // namespace heapdrift
