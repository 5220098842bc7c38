// java_heap: resident_bytes counts the pages in RAM of a range (from /proc/self/pagemap),
// over its readable mappings only, and add_java_heap_resident adds nothing outside a JVM. The e2e test
// HeapFirstUse measures a real JVM's heap.
#include "java_heap.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

#include "snapshot_format.h"

namespace heapdrift {
namespace {

constexpr uint64_t kMiB = 1 << 20;

// 64 MiB mapped in 4 KiB pages, of which `touched` bytes from the start are written.
class Region {
 public:
  explicit Region(uint64_t touched) {
    base_ = static_cast<char*>(mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT_NE(base_, MAP_FAILED);
    madvise(base_, kSize, MADV_NOHUGEPAGE);  // a huge page would make one write 2 MiB resident
    std::memset(base_, 1, touched);
  }
  ~Region() { munmap(base_, kSize); }
  uint64_t at(uint64_t offset) const { return reinterpret_cast<uint64_t>(base_) + offset; }
  static constexpr uint64_t kSize = 64 * kMiB;

 private:
  char* base_;
};

uint64_t resident(uint64_t start, uint64_t end) {
  uint64_t bytes = ~0ull;
  EXPECT_TRUE(resident_bytes(start, end, memory_mappings(), &bytes));
  return bytes;
}

TEST(JavaHeap, ResidentBytesAreThePagesWrittenInTheRange) {
  Region r(10 * kMiB);
  EXPECT_EQ(resident(r.at(0), r.at(Region::kSize)), 10 * kMiB);
  EXPECT_EQ(resident(r.at(4 * kMiB), r.at(8 * kMiB)), 4 * kMiB);
  EXPECT_EQ(resident(r.at(10 * kMiB), r.at(Region::kSize)), 0u);
  // A range that does not start or end on a page counts the whole pages inside it.
  EXPECT_EQ(resident(r.at(100), r.at(3 * 4096 + 100)), 2u * 4096);
}

// What is not readable is not committed memory: a reservation's PROT_NONE part is left
// out, as are ranges nothing maps.
TEST(JavaHeap, ResidentBytesLeaveOutWhatIsNotReadable) {
  Region r(Region::kSize);
  ASSERT_EQ(mprotect(reinterpret_cast<void*>(r.at(32 * kMiB)), 32 * kMiB, PROT_NONE), 0);
  EXPECT_EQ(resident(r.at(0), r.at(Region::kSize)), 32 * kMiB);
  uint64_t bytes = 0;
  EXPECT_TRUE(resident_bytes(r.at(0), r.at(Region::kSize), {}, &bytes));
  EXPECT_EQ(bytes, 0u);
}

// Maps read before the range was unmapped (a heap that gave memory back meanwhile): its
// pages are not in RAM any more, and are not counted.
TEST(JavaHeap, ARangeUnmappedSinceTheMapsWereReadHasNothingInRam) {
  void* gone = mmap(nullptr, 4 * kMiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(gone, MAP_FAILED);
  std::memset(gone, 1, 4 * kMiB);
  const uint64_t start = reinterpret_cast<uint64_t>(gone);
  const Mapping stale{start, start + 4 * kMiB, 0, format::kProtRead | format::kProtWrite, ""};
  uint64_t bytes = 0;
  EXPECT_TRUE(resident_bytes(start, start + 4 * kMiB, {stale}, &bytes));
  EXPECT_EQ(bytes, 4 * kMiB);
  ASSERT_EQ(munmap(gone, 4 * kMiB), 0);
  EXPECT_TRUE(resident_bytes(start, start + 4 * kMiB, {stale}, &bytes));
  EXPECT_EQ(bytes, 0u);
}

// ZGC's heap: a memfd named java_heap, in views of which RSS counts each; found by its
// name among the maps of a process with a libjvm.so.
TEST(JavaHeap, ZgcsSharedHeapIsCountedInEachView) {
  const int fd = memfd_create("java_heap", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 16 * kMiB), 0);
  void* views[2];
  for (void*& v : views) {
    v = mmap(nullptr, 16 * kMiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ASSERT_NE(v, MAP_FAILED);
  }
  std::memset(views[0], 1, 4 * kMiB);            // in RAM, mapped in the first view only
  std::memset(static_cast<char*>(views[1]) + 8 * kMiB, 1, 2 * kMiB);
  const std::vector<Module> jvm = {Module{"/nowhere/lib/server/libjvm.so", 0x7f0000000000, {}, {}}};
  MemoryStats stats;
  add_java_heap_resident(jvm, memory_mappings(), &stats);
  ASSERT_EQ(stats.values.size(), 1u);  // no HotSpot table to read in a libjvm that is not loaded
  EXPECT_EQ(stats.values[0].first, "jvm.heap_resident_shared_bytes");
  EXPECT_EQ(stats.values[0].second, 6 * kMiB);
  for (void* v : views) munmap(v, 16 * kMiB);
  close(fd);
}

TEST(JavaHeap, NoKeyOutsideAJvm) {
  MemoryStats stats;
  add_java_heap_resident(loaded_modules(), memory_mappings(), &stats);
  EXPECT_TRUE(stats.values.empty());
}

}  // namespace
}  // namespace heapdrift
