// load_history over snapshot files written by the test-side writer: stacks are named
// once per process image and their samples followed from snapshot to snapshot,
// whatever their ids (the shim numbers stacks 1, 2, ...; a foreign file may not).
#include "process_history.h"

#include <gtest/gtest.h>

#include "snapshot_builder.h"
#include "temp_dir.h"

namespace heapdrift {
namespace {

constexpr uint32_t kHugeId = 0xfffffff0;  // beyond any array by id

Snapshot snapshot_at(uint64_t mono_ns, std::vector<Sample> samples) {
  Snapshot s = test::small_snapshot();
  s.process.mono_ns = mono_ns;
  // Two stacks through the same code (one site) and one through other code, under
  // an id no shim would give.
  s.stacks = {{3, {3, 0, {0x1010, 0x1020}, {}}},
              {5, {5, 0, {0x1010, 0x1020}, {}}},
              {kHugeId, {kHugeId, 0, {0x1030, 0x1040}, {}}}};
  s.samples = std::move(samples);
  return s;
}

// load_history, its frames named into `table` without asking the network.
ProcessHistory history_of(const std::vector<std::filesystem::path>& files, FrameTable& table) {
  symbolizer::Options options;
  options.debuginfod = false;
  StackSymbolizer symbolizer(options, table);
  return load_history(files, symbolizer, SiteOptions{});
}

const SiteHistory& site_with(const ProcessHistory& h, const FrameTable& table, const std::string& function) {
  for (const SiteHistory& site : h.sites) {
    if (!site.frames.empty() && table[site.frames.front()].function == function) return site;
  }
  throw std::runtime_error("no site at " + function);
}

TEST(ProcessHistory, FollowsSamplesAcrossSnapshotsWhateverTheStackIds) {
  test::TempDir dir;
  std::vector<std::filesystem::path> files{dir / "snap-1.hds", dir / "snap-2.hds", dir / "snap-3.hds"};
  test::write_bytes(files[0], test::encode_snapshot(snapshot_at(2000, {{0x5000, 100, 1200, 1, 3, 1},
                                                                       {0x6000, 200, 1300, 1, kHugeId, 1},
                                                                       {0x7000, 300, 1400, 1, 5, 1}})));
  // The second snapshot: two blocks still live, one freed, one new under each id.
  test::write_bytes(files[1], test::encode_snapshot(snapshot_at(3000, {{0x5000, 100, 1200, 1, 3, 1},
                                                                       {0x6000, 200, 1300, 1, kHugeId, 1},
                                                                       {0x8000, 400, 2500, 1, kHugeId, 1},
                                                                       {0x9000, 500, 2600, 1, 5, 1}})));
  test::write_bytes(files[2], test::encode_snapshot(snapshot_at(4000, {{0x8000, 400, 2500, 1, kHugeId, 1}})));

  FrameTable table;
  ProcessHistory h = history_of(files, table);

  ASSERT_EQ(h.snapshots.size(), 3u);
  ASSERT_EQ(h.sites.size(), 2u);
  // /bin/x is not on disk: frames are named module+offset.
  const SiteHistory& shared = site_with(h, table, "x+0x10");
  const SiteHistory& huge = site_with(h, table, "x+0x30");
  auto spans = [](const SiteHistory& site) {
    std::vector<std::tuple<uint64_t, uint32_t, uint32_t>> out;
    for (const TrackedSample& s : site.samples) out.emplace_back(s.birth_ns, s.first, s.last);
    return out;
  };
  using Spans = std::vector<std::tuple<uint64_t, uint32_t, uint32_t>>;
  EXPECT_EQ(spans(shared), (Spans{{1200, 0, 1}, {1400, 0, 0}, {2600, 1, 1}}));
  EXPECT_EQ(spans(huge), (Spans{{1300, 0, 1}, {2500, 1, 2}}));
}

// A block is known by its address and allocation time, wherever it lies: blocks whose
// addresses agree in their low 32 bits (the order the merge sorts by first), one far
// from the heap, one listed twice, an address freed and allocated again.
TEST(ProcessHistory, BlocksAreFollowedByAddressAndTimeWhereverTheyLie) {
  test::TempDir dir;
  std::vector<std::filesystem::path> files{dir / "snap-1.hds", dir / "snap-2.hds", dir / "snap-3.hds"};
  constexpr uint64_t kA = 0x5000, kB = 0x1'0000'5000, kC = 0x7f00'0000'5000, kD = 0x6000, kG = 0x2'0000'5000;
  test::write_bytes(files[0], test::encode_snapshot(snapshot_at(2000, {{kB, 20, 1300, 1, 3, 1},
                                                                       {kD, 40, 1500, 1, 3, 1},
                                                                       {kC, 30, 1400, 1, 5, 1},
                                                                       {kA, 10, 1200, 1, 3, 1},
                                                                       {kD, 40, 1500, 1, 3, 1}})));
  test::write_bytes(files[1], test::encode_snapshot(snapshot_at(3000, {{kA, 10, 1200, 1, 3, 1},
                                                                       {kD, 60, 2100, 1, 3, 1},
                                                                       {kG, 70, 2200, 1, 3, 1},
                                                                       {kC, 30, 1400, 1, 5, 1}})));
  test::write_bytes(files[2], test::encode_snapshot(snapshot_at(4000, {{kG, 70, 2200, 1, 3, 1},
                                                                       {kD, 60, 2100, 1, 3, 1},
                                                                       {kA, 10, 1200, 1, 3, 1}})));
  FrameTable table;
  ProcessHistory h = history_of(files, table);

  ASSERT_EQ(h.sites.size(), 1u);
  std::vector<std::tuple<uint64_t, double, uint32_t, uint32_t>> spans;
  for (const TrackedSample& s : h.sites[0].samples) spans.emplace_back(s.birth_ns, s.bytes, s.first, s.last);
  // New blocks in the order their files list them.
  EXPECT_EQ(spans, (decltype(spans){{1300, 20, 0, 0},
                                    {1500, 40, 0, 0},
                                    {1400, 30, 0, 1},
                                    {1200, 10, 0, 2},
                                    {2100, 60, 1, 2},
                                    {2200, 70, 1, 2}}));
}

TEST(ProcessHistory, ATitleWrittenOverTheArgumentsIsNamedWithoutItsPadding) {
  test::TempDir dir;
  Snapshot s = snapshot_at(2000, {});
  s.process.cmdline = std::string("postgres: checkpointer \0\0\0\0", 27);
  test::write_bytes(dir / "snap-1.hds", test::encode_snapshot(s));
  FrameTable table;
  EXPECT_EQ(history_of({dir / "snap-1.hds"}, table).command, "postgres: checkpointer");
}

}  // namespace
}  // namespace heapdrift
