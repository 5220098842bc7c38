// The gate that keeps fork out of libunwind: while it is closed, no thread is inside,
// with the asymmetric (membarrier) barrier and with the locked one.
#include "unwind_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace heapdrift {
namespace {

void check_exclusion(UnwindGate& gate) {
  constexpr int kThreads = 3;
  std::atomic<int> own[kThreads] = {};
  std::atomic<int> inside{0};  // threads between enter and leave, by their own count
  std::atomic<bool> stop{false};
  std::atomic<long> entries{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!stop.load()) {
        std::atomic<int>* mine = i == 0 ? nullptr : &own[i];  // thread 0 has no counter of its own
        gate.enter(mine);
        inside.fetch_add(1);
        entries.fetch_add(1);
        inside.fetch_sub(1);
        gate.leave(mine);
      }
    });
  }
  for (int round = 0; round < 300; ++round) {
    gate.close();
    for (auto& o : own) UnwindGate::wait_until_out(o);
    long before = entries.load();
    EXPECT_EQ(inside.load(), 0);
    std::this_thread::yield();
    EXPECT_EQ(inside.load(), 0);
    EXPECT_EQ(entries.load(), before) << "a thread entered the closed gate";
    gate.open();
    // Until some thread has gone through: on a loaded machine the threads could
    // otherwise miss every open window, and the rounds would check nothing.
    while (entries.load() == before) std::this_thread::yield();
  }
  stop.store(true);
  for (auto& t : threads) t.join();
  EXPECT_GT(entries.load(), 0);
}

TEST(UnwindGate, ClosedMeansNobodyInsideWithMembarrier) {
  UnwindGate gate;
  if (!gate.use_membarrier_if_available()) GTEST_SKIP() << "no expedited membarrier on this kernel";
  check_exclusion(gate);
}

TEST(UnwindGate, ClosedMeansNobodyInsideWithLockedEntries) {
  UnwindGate gate;  // never registered: every entry is a locked read-modify-write
  check_exclusion(gate);
}

}  // namespace
}  // namespace heapdrift
