// read_memory_stats against the kernel: RSS and its anonymous, file and shared parts
// move by what this test maps and touches, and add up to the RSS they were read with;
// the count of threads moves with the threads the test starts and joins.
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

std::map<std::string, uint64_t> read_values() {
  heapdrift::MemoryStats stats = heapdrift::read_memory_stats();
  return {stats.values.begin(), stats.values.end()};
}

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
  EXPECT_EQ(heapdrift::read_memory_stats().allocator, "glibc");
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

}  // namespace
