// The per-thread counter blocks: reuse after a thread's exit, the fast counts each
// thread keeps in its own state, and blocks whose thread ended without releasing them.
#include "thread_counters.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "internal_alloc.h"

namespace heapdrift {
namespace {

int gettid_now() { return static_cast<int>(syscall(SYS_gettid)); }

int count_blocks(CounterRegistry& registry) {
  int n = 0;
  registry.for_each([&n](ThreadCounters&) { ++n; });
  return n;
}

TEST(CounterRegistry, ReleaseFoldsTheFastCountsIntoTheBlockForTheNextThread) {
  CounterRegistry registry;
  FastCounts first;
  ThreadCounters* block = registry.acquire(&first, gettid_now());
  ASSERT_NE(block, nullptr);
  ThreadCounters::bump(first.alloc_calls, 7);
  ThreadCounters::bump(first.free_calls, 3);
  block->on_alloc(0);  // a slow-path count, in the block itself
  EXPECT_EQ(registry.sum().alloc_calls, 8u);
  registry.release(block);
  EXPECT_EQ(first.alloc_calls.load(), 0u) << "folded, not left to be counted again";
  Totals folded = registry.sum();
  EXPECT_EQ(folded.alloc_calls, 8u);
  EXPECT_EQ(folded.free_calls, 3u);

  FastCounts second;
  EXPECT_EQ(registry.acquire(&second, gettid_now()), block) << "a released block is reused";
  ThreadCounters::bump(second.alloc_calls, 1);
  EXPECT_EQ(registry.sum().alloc_calls, 9u);
  EXPECT_EQ(count_blocks(registry), 1);
}

// A thread that ends without its exit handler (in the shim: a thread whose first
// allocation is in the last round of its TLS destructors) leaves a block pointing at
// its state: the sum notices the thread is gone, stops reading it and frees the block.
TEST(CounterRegistry, ABlockWhoseThreadEndedWithoutReleasingItIsReclaimed) {
  CounterRegistry registry;
  auto lost = std::make_unique<FastCounts>();  // outlives the thread: a wrong read cannot fault
  std::thread([&registry, &lost] {
    ASSERT_NE(registry.acquire(lost.get(), gettid_now()), nullptr);
    ThreadCounters::bump(lost->alloc_calls, 100);
  }).join();
  // The kernel may still list the thread for a moment after the join.
  Totals totals = registry.sum();
  for (int i = 0; i < 1000 && totals.alloc_calls != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    totals = registry.sum();
  }
  EXPECT_EQ(totals.alloc_calls, 0u) << "the ended thread's counts are read no more";
  FastCounts next;
  ThreadCounters* block = registry.acquire(&next, gettid_now());
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(count_blocks(registry), 1) << "its block was released for reuse";
  registry.release(block);
}

// A JVM runs hundreds of threads: a block each must not cost each a page.
TEST(CounterRegistry, BlocksOfManyThreadsShareTheirPages) {
  CounterRegistry registry;
  const uint64_t before = internal_mapped_bytes();
  std::vector<FastCounts> fast(100);
  std::set<uintptr_t> lines;
  for (FastCounts& f : fast) {
    ThreadCounters* block = registry.acquire(&f, gettid_now());
    ASSERT_NE(block, nullptr);
    auto at = reinterpret_cast<uintptr_t>(block);
    EXPECT_EQ(at % alignof(ThreadCounters), 0u);
    for (uintptr_t line = at; line < at + sizeof(ThreadCounters); line += 64) {
      EXPECT_TRUE(lines.insert(line).second) << "two blocks share a cache line";
    }
    ThreadCounters::bump(f.alloc_calls, 1);
  }
  EXPECT_EQ(count_blocks(registry), 100);
  EXPECT_LE(internal_mapped_bytes() - before, 4 * kPageBytes) << "100 blocks of " << sizeof(ThreadCounters) << " bytes";
  EXPECT_EQ(registry.sum().alloc_calls, 100u);
}

TEST(CounterRegistry, ForkChildKeepsOnlyTheForkingThreadsBlockAtZero) {
  CounterRegistry registry;
  FastCounts mine, other;
  ThreadCounters* kept = registry.acquire(&mine, gettid_now());
  ThreadCounters* gone = registry.acquire(&other, gettid_now());
  ThreadCounters::bump(mine.alloc_calls, 5);
  ThreadCounters::bump(other.alloc_calls, 5);
  registry.reset_after_fork(kept, gettid_now());
  EXPECT_EQ(registry.sum().alloc_calls, 0u);
  EXPECT_FALSE(gone->in_use.load());
  ThreadCounters::bump(other.alloc_calls, 1);  // the other thread does not exist in a child
  ThreadCounters::bump(mine.alloc_calls, 2);
  EXPECT_EQ(registry.sum().alloc_calls, 2u);
  registry.release(kept);
  EXPECT_EQ(registry.sum().alloc_calls, 2u);
}

}  // namespace
}  // namespace heapdrift
