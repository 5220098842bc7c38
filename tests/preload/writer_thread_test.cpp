// The writer thread as the shim runs it, beside threads that allocate: periodic
// snapshots, snapshots asked for through the control FIFO, a pause and resume (a
// namespace change), and the exit snapshot handed over by the exiting thread.
#include "writer_thread.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "libunwind_pipe.h"
#include "snapshot_check.h"
#include "temp_dir.h"

namespace heapdrift {
namespace {

// What `heapdrift snapshot PID` does: one byte into the FIFO, if someone reads it.
bool ask_for_snapshot(const std::string& fifo) {
  int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  char byte = 's';
  bool ok = write(fd, &byte, 1) == 1;
  close(fd);
  return ok;
}

TEST(WriterThread, PeriodicAskedForAndExitSnapshotsWhileThreadsAllocate) {
  // As at the shim's start (lifecycle.cpp): libunwind keeps no descriptor, which the
  // writer thread's own table could give the number of one of its files.
  ASSERT_TRUE(redirect_libunwind_pipe());
  Config config;
  config.sample_rate = 1;
  config.interval_ms = 5;
  PageFilter filter;
  Recorder recorder(config, 0, 0, filter);
  test::TempDir root;
  WriterThread writer(recorder, root.path());
  std::string error;
  ASSERT_TRUE(writer.start({static_cast<uint32_t>(getpid()), static_cast<uint32_t>(getppid()), 1, 1}, &error))
      << error;

  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      ThreadState state{};
      uintptr_t base = uintptr_t(w + 1) << 36;
      std::vector<uintptr_t> ring(256, 0);
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        uintptr_t& slot = ring[i % ring.size()];
        ReentrancyGuard guard(state);
        if (slot) recorder.on_free(state, reinterpret_cast<void*>(slot), test::block_size(slot));
        slot = base + 64 * (i % 4096);
        recorder.on_alloc(state, reinterpret_cast<void*>(slot), test::block_size(slot), test::block_size(slot));
      }
      recorder.detach(state);
    });
  }

  const std::string fifo = writer.process_dir() + "/" + format::kControlFifo;
  int asked = 0;
  for (int i = 0; i < 10; ++i) {
    asked += ask_for_snapshot(fifo);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (i == 4) {
      ASSERT_TRUE(writer.pause());
      writer.resume();
    }
  }
  stop = true;
  for (auto& w : workers) w.join();
  ASSERT_TRUE(writer.finish());
  EXPECT_GT(asked, 0);
  EXPECT_EQ(writer.failures().count, 0u);

  std::vector<test::SnapshotCheck> snapshots;
  for (const auto& e : std::filesystem::directory_iterator(writer.process_dir())) {
    std::string name = e.path().filename();
    ASSERT_NE(name.rfind(".snap-", 0), 0u) << "a temporary left behind: " << name;
    if (name.rfind("snap-", 0) == 0) snapshots.push_back(test::check_snapshot(e.path()));
  }
  std::sort(snapshots.begin(), snapshots.end(), [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  ASSERT_GE(snapshots.size(), 3u);
  int on_demand = 0;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const test::SnapshotCheck& s = snapshots[i];
    ASSERT_EQ(s.error, "");
    EXPECT_EQ(s.sequence, i + 1) << "numbered without gaps";
    EXPECT_EQ(s.odd_samples, 0u);
    EXPECT_EQ(s.live_samples, s.samples);
    EXPECT_EQ(s.trigger == static_cast<uint32_t>(format::Trigger::kExit), i + 1 == snapshots.size())
        << "the exit snapshot is the last, and only the last";
    on_demand += s.trigger == static_cast<uint32_t>(format::Trigger::kOnDemand);
  }
  EXPECT_GT(on_demand, 0);
  EXPECT_LE(on_demand, asked);
}

}  // namespace
}  // namespace heapdrift
