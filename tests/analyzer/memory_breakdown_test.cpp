// memory_breakdown: where RSS goes, from the kernel's counters that snapshots carry now
// and from the smaps_rollup text of older snapshots.
#include "memory_breakdown.h"

#include <gtest/gtest.h>

namespace heapdrift {
namespace {

constexpr uint64_t kMiB = 1 << 20;

TEST(MemoryBreakdown, SplitsRssFromTheKernelCounters) {
  MemoryInfo m{"glibc",
               {{"rss_bytes", 700 * kMiB},
                {"rss_anon_bytes", 500 * kMiB},
                {"rss_file_bytes", 150 * kMiB},
                {"rss_shmem_bytes", 50 * kMiB},
                {"malloc.arena_bytes", 300 * kMiB},
                {"malloc.mmap_bytes", 20 * kMiB},
                {"malloc.in_use_bytes", 200 * kMiB},
                {"malloc.free_bytes", 100 * kMiB}},
               ""};
  MemoryBreakdown b = memory_breakdown({}, m);
  EXPECT_EQ(b.rss, 700.0 * kMiB);
  EXPECT_EQ(b.live_heap, 220.0 * kMiB);
  EXPECT_EQ(b.allocator_held, 320.0 * kMiB);
  EXPECT_EQ(b.anonymous, 500.0 * kMiB);
  EXPECT_EQ(b.file_backed, 200.0 * kMiB) << "file-backed and shared memory: the rest of RSS";
}

TEST(MemoryBreakdown, ReadsSmapsRollupOfOlderSnapshots) {
  MemoryInfo m{"glibc",
               {{"rss_bytes", 700 * kMiB}},
               "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  716800 kB\nPss:  700000 kB\n"
               "Anonymous:  512000 kB\nSwap:  0 kB\n"};
  MemoryBreakdown b = memory_breakdown({}, m);
  EXPECT_EQ(b.anonymous, 500.0 * kMiB);
  EXPECT_EQ(b.file_backed, 200.0 * kMiB);
}

TEST(MemoryBreakdown, LeavesTheSplitOutWhenNeitherIsThere) {
  MemoryBreakdown b = memory_breakdown({}, MemoryInfo{"glibc", {{"rss_bytes", 700 * kMiB}}, ""});
  EXPECT_EQ(b.rss, 700.0 * kMiB);
  EXPECT_FALSE(b.anonymous.has_value());
  EXPECT_FALSE(b.file_backed.has_value());
}

// A JIT's code: anonymous executable mappings only, not a library's code nor the kernel's.
TEST(JitCodeMapped, IsTheAnonymousExecutableMemory) {
  using format::kProtExec, format::kProtRead, format::kProtWrite;
  const std::vector<Mapping> maps = {
      {0x10000, 0x30000, 0, kProtRead | kProtWrite | kProtExec, ""},     // a code cache's committed part
      {0x30000, 0x90000, 0, 0, ""},                                      // its reserved rest
      {0xa0000, 0xa4000, 0, kProtRead | kProtExec, ""},                  // code made read-only (W^X)
      {0xb0000, 0xf0000, 0, kProtRead | kProtWrite, ""},                 // a heap
      {0x100000, 0x140000, 0x1000, kProtRead | kProtExec, "/usr/lib/libc.so.6"},
      {0x200000, 0x202000, 0, kProtRead | kProtExec, "[vdso]"},
  };
  EXPECT_EQ(jit_code_mapped_bytes(maps), 0x20000u + 0x4000u);
  EXPECT_EQ(jit_code_mapped_bytes({}), 0u);
}

// Threads' stacks: a read-write anonymous mapping right above its guard, an inaccessible
// one of 64 KiB at most (glibc's page; HotSpot's 16 KiB).
TEST(ThreadStacksMapped, AreTheMappingsAboveAGuard) {
  using format::kProtRead, format::kProtWrite;
  constexpr uint32_t rw = kProtRead | kProtWrite;
  const std::vector<Mapping> maps = {
      {0x100000, 0x101000, 0, 0, ""},           // glibc's guard page...
      {0x101000, 0x900000, 0, rw, ""},          // ...below a thread's stack
      {0x900000, 0x904000, 0, 0, ""},           // HotSpot's guard zones...
      {0x904000, 0xa00000, 0, rw, ""},          // ...below a Java thread's
      {0xb00000, 0xc00000, 0, rw, ""},          // a heap's committed part...
      {0xc00000, 0x1000000, 0, 0, ""},          // ...and its reserved rest, above it
      {0x1000000, 0x1800000, 0, rw, ""},        // not a stack: that reserve is too large a guard
      {0x2000000, 0x2001000, 0, 0, ""},         // a guard with a gap above it
      {0x2002000, 0x2100000, 0, rw, ""},        //
      {0x3000000, 0x3001000, 0, 0, ""},         // a guard below a file's mapping
      {0x3001000, 0x3002000, 0, rw, "/tmp/f"},  //
      {0x7ff0000, 0x8000000, 0, rw, "[stack]"}, // the main thread's
  };
  ThreadStacks stacks = thread_stacks_mapped(maps);
  EXPECT_EQ(stacks.count, 2u);
  EXPECT_EQ(stacks.bytes, 0x800000u + 0x100000u);
  EXPECT_EQ(thread_stacks_mapped({}).count, 0u);
}

}  // namespace
}  // namespace heapdrift
