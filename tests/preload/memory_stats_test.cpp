// MemoryStatsReader against the kernel and glibc: RSS and its anonymous, file and shared
// parts move by what this test maps and touches, and add up to the RSS they were read
// with; the count of threads moves with the threads the test starts and joins; glibc's
// figures move with what the test allocates, and a walk of its arenas that took more
// than the budget is not made again until the exit snapshot.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "memory_stats.h"
#include "sanitized.h"

namespace {

constexpr size_t kBlock = 32u << 20;

std::map<std::string, uint64_t> values_of(const heapdrift::MemoryStats& stats) {
  return {stats.values.begin(), stats.values.end()};
}

std::map<std::string, uint64_t> read_values() { return values_of(heapdrift::MemoryStatsReader().read(false)); }

void touch(void* p, size_t size) {
  for (size_t i = 0; i < size; i += 4096) static_cast<volatile char*>(p)[i] = 1;
}

TEST(memory_stats, rss_parts_add_up) {
  auto v = read_values();
  for (const char* key : {"vm_bytes", "rss_bytes", "rss_anon_bytes", "rss_file_bytes", "rss_shmem_bytes"}) {
    ASSERT_TRUE(v.contains(key)) << key;
  }
  EXPECT_GT(v["rss_bytes"], 0u);
  EXPECT_GE(v["vm_bytes"], v["rss_bytes"]);
  EXPECT_EQ(v["rss_anon_bytes"] + v["rss_file_bytes"] + v["rss_shmem_bytes"], v["rss_bytes"]);
  EXPECT_EQ(heapdrift::MemoryStatsReader().read(false).allocator, "glibc");
}

TEST(memory_stats, each_part_grows_by_what_is_touched) {
  if (heapdrift::kSanitized) GTEST_SKIP() << "a sanitizer's shadow pages count in RSS";
  auto before = read_values();

  void* anon = mmap(nullptr, kBlock, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(anon, MAP_FAILED);
  touch(anon, kBlock);

  void* shared = mmap(nullptr, kBlock, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(shared, MAP_FAILED);
  touch(shared, kBlock);

  // A file of our own with data in it, read through a private mapping: page-cache pages,
  // file-backed (shared memory if the directory is on tmpfs).
  char path[] = "memory_stats_testXXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  unlink(path);
  std::string chunk(1 << 20, 'x');
  for (size_t done = 0; done < kBlock; done += chunk.size()) {
    ASSERT_EQ(write(fd, chunk.data(), chunk.size()), ssize_t(chunk.size()));
  }
  struct statfs fs;
  ASSERT_EQ(fstatfs(fd, &fs), 0);
  const bool on_tmpfs = fs.f_type == TMPFS_MAGIC;
  void* file = mmap(nullptr, kBlock, PROT_READ, MAP_PRIVATE, fd, 0);
  ASSERT_NE(file, MAP_FAILED);
  size_t xs = 0;
  for (size_t i = 0; i < kBlock; i += 4096) xs += static_cast<const volatile char*>(file)[i] == 'x';
  EXPECT_EQ(xs, kBlock / 4096);

  auto after = read_values();
  auto grew = [&](const char* key) { return int64_t(after[key]) - int64_t(before[key]); };
  // Each part grew by its 32 MiB, give or take what the rest of the process did meanwhile.
  constexpr int64_t kSlack = 4 << 20;
  EXPECT_NEAR(grew("rss_anon_bytes"), int64_t(kBlock), kSlack);
  EXPECT_NEAR(grew("rss_shmem_bytes"), int64_t(on_tmpfs ? 2 : 1) * int64_t(kBlock), kSlack);
  EXPECT_NEAR(grew("rss_file_bytes"), on_tmpfs ? 0 : int64_t(kBlock), kSlack);
  EXPECT_NEAR(grew("rss_bytes"), 3 * int64_t(kBlock), kSlack);

  munmap(file, kBlock);
  close(fd);
  munmap(shared, kBlock);
  munmap(anon, kBlock);
}

// The kernel's count of the process's threads: three more while three wait, as many
// as before once they are joined.
TEST(memory_stats, counts_the_threads_running) {
  if (heapdrift::kSanitized) GTEST_SKIP() << "a sanitizer's runtime may run a thread of its own";
  const uint64_t before = read_values()["process_threads"];
  ASSERT_GE(before, 1u);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  EXPECT_EQ(read_values()["process_threads"], before + 3);
  go = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(read_values()["process_threads"], before);
}

// Blocks of 1,100–1,599 bytes, past the sizes glibc's per-thread cache keeps, so that
// each is counted in its arena, in use or, once freed, free.
void* allocate_block(size_t i) { return malloc(1100 + (i * 37) % 500); }

void free_blocks(const std::vector<void*>& blocks) {
  for (void* p : blocks) free(p);
}

TEST(memory_stats, glibcs_figures_move_with_what_is_allocated) {
  if (heapdrift::kSanitized) GTEST_SKIP() << "a sanitizer's allocator is not glibc's";
  auto before = read_values();
  for (const char* key : {"malloc.arena_bytes", "malloc.mmap_bytes", "malloc.in_use_bytes", "malloc.free_bytes",
                          "malloc.arena_count", "malloc.walk_us"}) {
    ASSERT_TRUE(before.contains(key)) << key;
  }
  EXPECT_EQ(before["malloc.in_use_bytes"] + before["malloc.free_bytes"], before["malloc.arena_bytes"]);
  EXPECT_GE(before["malloc.arena_count"], 1u);

  std::vector<void*> blocks;
  for (size_t i = 0; i < 20000; ++i) blocks.push_back(allocate_block(i));
  auto after = read_values();
  free_blocks(blocks);
  const uint64_t bytes = 20000 * (1100 + 1599) / 2;
  EXPECT_GE(after["malloc.in_use_bytes"], before["malloc.in_use_bytes"] + bytes * 9 / 10);
  EXPECT_LE(after["malloc.in_use_bytes"], before["malloc.in_use_bytes"] + bytes * 11 / 10);
}

// 50,000 free chunks, each between two blocks kept: walking them takes far more than
// the budget (~15 ms here). The next read leaves glibc's figures out and says how long
// that walk took; the exit snapshot's read walks again.
TEST(memory_stats, a_walk_over_the_budget_is_made_again_only_at_exit) {
  if (heapdrift::kSanitized) GTEST_SKIP() << "a sanitizer's allocator is not glibc's";
  std::vector<void*> kept, freed;
  for (size_t i = 0; i < 50000; ++i) {
    kept.push_back(allocate_block(i));
    freed.push_back(allocate_block(i + 1));
  }
  free_blocks(freed);

  heapdrift::MemoryStatsReader reader;
  auto first = values_of(reader.read(false));
  ASSERT_TRUE(first.contains("malloc.walk_us"));
  EXPECT_GE(first["malloc.free_bytes"], uint64_t{50000} * 1100);
  EXPECT_GT(first["malloc.walk_us"], heapdrift::MemoryStatsReader::kWalkBudgetNs / 1000);

  heapdrift::MemoryStats second = reader.read(false);
  auto left_out = values_of(second);
  EXPECT_EQ(second.allocator, "glibc");
  EXPECT_EQ(left_out["malloc.left_out_after_walk_us"], first["malloc.walk_us"]);
  for (const char* key : {"malloc.arena_bytes", "malloc.in_use_bytes", "malloc.free_bytes", "malloc.walk_us"}) {
    EXPECT_FALSE(left_out.contains(key)) << key;
  }
  EXPECT_TRUE(left_out.contains("rss_bytes"));

  auto at_exit = values_of(reader.read(true));
  EXPECT_TRUE(at_exit.contains("malloc.free_bytes"));
  EXPECT_TRUE(at_exit.contains("malloc.walk_us"));
  EXPECT_FALSE(at_exit.contains("malloc.left_out_after_walk_us"));
  free_blocks(kept);
}

}  // namespace
