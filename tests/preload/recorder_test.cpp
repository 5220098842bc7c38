// The Recorder driven directly, as the hooks drive it, from several threads: exact
// counters, and live samples that follow allocations and frees.
#include "recorder.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <future>
#include <map>
#include <thread>
#include <vector>

#include "page_faults.h"
#include "sanitized.h"
#include "snapshot_format.h"

namespace heapdrift {
namespace {

Config exact_config() {
  Config c;
  c.sample_rate = 1;
  c.seed = 1;
  c.seed_set = true;
  return c;
}

Config default_config() {
  Config c;
  c.seed = 1;
  c.seed_set = true;
  return c;
}

// What the hooks do on a thread's first call: the slow path attaches it, and from
// then on it is on the fast path.
void attach(Recorder& r, ThreadState& t) {
  ReentrancyGuard guard(t);
  r.count_free(t, 0);
  ASSERT_EQ(t.mode, kFastPath | kInShim);
}

std::vector<LiveEntry> live_entries(Recorder& r) {
  std::vector<LiveEntry> all, shard(1 << 16);
  for (unsigned i = 0; i < LiveTable::kShards; ++i) {
    size_t n = r.live().copy_shard(i, shard.data(), shard.size());
    all.insert(all.end(), shard.begin(), shard.begin() + n);
  }
  return all;
}

}  // namespace

// A recognisable allocation site for the stack checks (outside the anonymous namespace
// so that dladdr can name it).
__attribute__((noinline)) void recorder_test_site(Recorder& r, ThreadState& t, uintptr_t address, size_t size) {
  ReentrancyGuard guard(t);
  r.on_alloc(t, reinterpret_cast<void*>(address), size, size);
  asm volatile("" ::: "memory");
}

namespace {

TEST(Recorder, ExactModeCountsAndTracksEveryBlockAcrossThreads) {
  PageFilter filter;
  Recorder recorder(exact_config(), 0, 0, filter);
  const int threads = 4, blocks = 20000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&recorder, t] {
      ThreadState state{};
      uintptr_t base = uintptr_t(t + 1) << 36;
      for (int i = 0; i < blocks; ++i) recorder_test_site(recorder, state, base + 64 * i, 48);
      ReentrancyGuard guard(state);
      for (int i = 0; i < blocks; i += 2) recorder.on_free(state, reinterpret_cast<void*>(base + 64 * i), 48);
      recorder.detach(state);
    });
  }
  for (auto& w : workers) w.join();

  Totals totals = recorder.totals();
  EXPECT_EQ(totals.alloc_calls, uint64_t(threads) * blocks);
  EXPECT_EQ(totals.free_calls, uint64_t(threads) * blocks / 2);
  EXPECT_EQ(totals.alloc_bytes, uint64_t(threads) * blocks * 48);
  EXPECT_EQ(totals.free_bytes, uint64_t(threads) * blocks / 2 * 48);
  EXPECT_EQ(totals.sampled, uint64_t(threads) * blocks);

  auto live = live_entries(recorder);
  ASSERT_EQ(live.size(), size_t(threads) * blocks / 2);
  std::map<uint32_t, int> per_stack;
  for (const LiveEntry& e : live) {
    EXPECT_EQ((e.address / 64) % 2, 1u);  // only the odd blocks were kept
    EXPECT_EQ(e.size, 48u);
    EXPECT_NE(e.tid, 0u);
    per_stack[e.stack_id]++;
  }
  // The site's stack was captured and names the site.
  ASSERT_FALSE(per_stack.empty());
  const StackRecord* stack = recorder.stacks().get(per_stack.begin()->first);
  ASSERT_NE(stack, nullptr);
  bool found = false;
  for (uint32_t i = 0; i < stack->depth; ++i) {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(stack->frames[i] - 1), &info) && info.dli_sname &&
        strstr(info.dli_sname, "recorder_test_site")) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// The first sample faults in the tables that samples write at random (populate_tables):
// from then on, samples into every shard of the live table take no page fault.
TEST(Recorder, SamplesAfterTheFirstTakeNoPageFaultInTheTables) {
  if (kSanitized) GTEST_SKIP() << "a sanitizer's shadow pages fault too";
  PageFilter filter;
  Recorder recorder(exact_config(), 0, 0, filter);
  ThreadState state{};
  // The first samples: the tables, and the walk's own first steps (its rules, libunwind).
  for (int i = 0; i < 4; ++i) recorder_test_site(recorder, state, 0x2ffff0000 + 64 * i, 48);
  long before = thread_page_faults();
  for (uintptr_t n = 0; n < 4 * LiveTable::kShards; ++n) {
    recorder_test_site(recorder, state, 0x300000000 + (n << 16), 48);
  }
  EXPECT_LE(thread_page_faults() - before, 2) << "none expected; 2 spare for the kernel's own (compaction)";
  EXPECT_EQ(recorder.live().size(), 4 + 4u * LiveTable::kShards);
  ReentrancyGuard guard(state);
  recorder.detach(state);
}

TEST(Recorder, ThreadCounterBlocksAreReusedAndSumsStayExact) {
  PageFilter filter;
  Recorder recorder(exact_config(), 0, 0, filter);
  for (int round = 0; round < 50; ++round) {
    std::thread([&recorder] {
      ThreadState state{};
      ReentrancyGuard guard(state);
      recorder.on_alloc(state, reinterpret_cast<void*>(0x1000), 10, 16);
      recorder.on_free(state, reinterpret_cast<void*>(0x1000), 16);
      recorder.detach(state);
      // After its exit handler a thread may still allocate: counted all the same.
      recorder.on_alloc(state, reinterpret_cast<void*>(0x2000), 10, 16);
      recorder.on_free(state, reinterpret_cast<void*>(0x2000), 16);
    }).join();
  }
  Totals totals = recorder.totals();
  EXPECT_EQ(totals.alloc_calls, 100u);
  EXPECT_EQ(totals.free_calls, 100u);
  EXPECT_EQ(totals.alloc_bytes, 1600u);
  EXPECT_EQ(totals.free_bytes, 1600u);
  EXPECT_EQ(recorder.live().size(), 0u);
}

// The fast path's counts live in each thread's own state: read while the thread runs,
// folded into its block when it exits, never counted twice.
TEST(Recorder, FastPathCountsAreSummedWhileThreadsRunAndKeptAfterTheyExit) {
  PageFilter filter;
  Recorder recorder(default_config(), 0, 0, filter);
  const int threads = 4, calls = 1000;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::promise<void>> counted(threads);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&recorder, &counted, released, i] {
      ThreadState state{};
      attach(recorder, state);
      for (int c = 0; c < calls; ++c) Recorder::count_alloc_fast(state);
      for (int c = 0; c < calls / 2; ++c) Recorder::count_free_fast(state);
      counted[i].set_value();
      released.wait();
      ReentrancyGuard guard(state);
      recorder.detach(state);
    });
  }
  for (auto& c : counted) c.get_future().wait();
  Totals running = recorder.totals();
  EXPECT_EQ(running.alloc_calls, uint64_t(threads) * calls);
  EXPECT_EQ(running.free_calls, uint64_t(threads) * (calls / 2 + 1));  // + the attaching call
  release.set_value();
  for (auto& w : workers) w.join();
  Totals after = recorder.totals();
  EXPECT_EQ(after.alloc_calls, running.alloc_calls);
  EXPECT_EQ(after.free_calls, running.free_calls);

  // A new thread takes over a released block, and carries on from its counts.
  std::thread([&recorder] {
    ThreadState state{};
    attach(recorder, state);
    Recorder::count_alloc_fast(state);
    ReentrancyGuard guard(state);
    recorder.detach(state);
  }).join();
  EXPECT_EQ(recorder.totals().alloc_calls, running.alloc_calls + 1);
}

TEST(Recorder, FailedReallocPutsTheOldBlockBack) {
  PageFilter filter;
  Recorder recorder(exact_config(), 0, 0, filter);
  ThreadState state{};
  ReentrancyGuard guard(state);
  recorder.on_alloc(state, reinterpret_cast<void*>(0x5000), 100, 112);
  LiveEntry old{};
  ASSERT_TRUE(recorder.take(reinterpret_cast<void*>(0x5000), &old));
  EXPECT_EQ(recorder.live().size(), 0u);
  recorder.restore(old);  // the real realloc failed
  EXPECT_EQ(recorder.live().size(), 1u);
  LiveEntry again{};
  ASSERT_TRUE(recorder.take(reinterpret_cast<void*>(0x5000), &again));
  EXPECT_EQ(again.size, 100u);
  EXPECT_EQ(again.alloc_ns, old.alloc_ns);
}

TEST(Recorder, ForkChildStartsClean) {
  PageFilter filter;
  Recorder recorder(exact_config(), 0, 0, filter);
  ThreadState state{};
  ReentrancyGuard guard(state);
  recorder.on_alloc(state, reinterpret_cast<void*>(0x5000), 100, 112);
  recorder.prepare_fork();  // every lock held, as at fork()
  recorder.child_after_fork(state);
  EXPECT_EQ(recorder.live().size(), 0u);
  EXPECT_EQ(recorder.totals().alloc_calls, 0u);
  recorder.on_alloc(state, reinterpret_cast<void*>(0x6000), 100, 112);  // no deadlock
  EXPECT_EQ(recorder.live().size(), 1u);
  EXPECT_EQ(recorder.totals().alloc_calls, 1u);
}

TEST(Recorder, ForkChildStartsWithTheForkingThreadsFastCountsAtZero) {
  PageFilter filter;
  Recorder recorder(default_config(), 0, 0, filter);
  ThreadState state{};
  attach(recorder, state);
  for (int c = 0; c < 10; ++c) Recorder::count_alloc_fast(state);
  ASSERT_EQ(recorder.totals().alloc_calls, 10u);
  recorder.prepare_fork();
  recorder.child_after_fork(state);
  EXPECT_EQ(recorder.totals().alloc_calls, 0u);
  Recorder::count_alloc_fast(state);
  EXPECT_EQ(recorder.totals().alloc_calls, 1u);
  ReentrancyGuard guard(state);
  recorder.detach(state);
  EXPECT_EQ(recorder.totals().alloc_calls, 1u);
}

}  // namespace
}  // namespace heapdrift
