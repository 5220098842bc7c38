#include "stack_extent.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>

namespace heapdrift {
namespace {

// One reservation, PROT_NONE but for three readable regions: a thread's own stack
// (64 KiB, its guard page below), a fiber's stack below it (32 KiB, unreadable pages
// on both sides), and a large region above the own stack's top.
class StackExtentTest : public ::testing::Test {
 protected:
  static constexpr uintptr_t kKiB = 1024;
  void SetUp() override {
    void* m = mmap(nullptr, 1024 * kKiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ASSERT_NE(m, MAP_FAILED);
    base_ = reinterpret_cast<uintptr_t>(m);
    ASSERT_EQ(open(fiber_lo(), fiber_hi()), 0);
    ASSERT_EQ(open(own_lo(), own_hi()), 0);
    ASSERT_EQ(open(above_lo(), above_lo() + 256 * kKiB), 0);
  }
  void TearDown() override { munmap(reinterpret_cast<void*>(base_), 1024 * kKiB); }
  int open(uintptr_t lo, uintptr_t hi) {
    return mprotect(reinterpret_cast<void*>(lo), hi - lo, PROT_READ | PROT_WRITE);
  }

  uintptr_t fiber_lo() const { return base_ + 64 * kKiB; }
  uintptr_t fiber_hi() const { return base_ + 96 * kKiB; }
  uintptr_t own_lo() const { return base_ + 128 * kKiB; }
  uintptr_t own_hi() const { return base_ + 192 * kKiB; }
  uintptr_t above_lo() const { return base_ + 256 * kKiB; }
  OwnStack own(bool grows = false) const { return {own_hi(), 0, grows, 0}; }

  uintptr_t base_ = 0;
};

uintptr_t page_of(uintptr_t a) { return a & ~uintptr_t{4095}; }

TEST_F(StackExtentTest, OnItsOwnStackASampleWalksToTheTopAndProvesOnlyWhatItNeeds) {
  OwnStack s = own();
  uintptr_t hi = 0;
  const uintptr_t sp = own_hi() - 1000;
  ASSERT_TRUE(stack_for_sample(s, sp, &hi));
  EXPECT_EQ(hi, own_hi());
  EXPECT_EQ(s.proven_lo, page_of(sp - kSampleStackRoom));
  // Deeper: the proof goes on from where it stopped.
  ASSERT_TRUE(stack_for_sample(s, sp - 20 * kKiB, &hi));
  EXPECT_EQ(hi, own_hi());
  EXPECT_EQ(s.proven_lo, page_of(sp - 20 * kKiB - kSampleStackRoom));
}

TEST_F(StackExtentTest, NearTheGuardPageThereIsNoRoomOnAStackThatDoesNotGrow) {
  OwnStack s = own();
  uintptr_t hi = 0;
  EXPECT_FALSE(stack_for_sample(s, own_lo() + 8 * kKiB, &hi));
  EXPECT_EQ(s.proven_lo, own_lo()) << "proven down to the guard page";
  EXPECT_TRUE(stack_for_sample(s, own_lo() + kSampleStackRoom + 100, &hi));
  EXPECT_EQ(hi, own_hi());
}

TEST_F(StackExtentTest, TheMainThreadsStackGrowsIntoTheRoomBelow) {
  OwnStack s = own(/*grows=*/true);
  uintptr_t hi = 0;
  ASSERT_TRUE(stack_for_sample(s, own_lo() + 100, &hi));
  EXPECT_EQ(hi, own_hi());
}

TEST_F(StackExtentTest, OnAFiberBelowItsOwnStackTheWalkStopsAtTheFibersTop) {
  OwnStack s = own();
  uintptr_t hi = 0;
  ASSERT_TRUE(stack_for_sample(s, fiber_hi() - 100, &hi));
  EXPECT_EQ(hi, fiber_hi()) << "the readable run above the frame, not the thread's stack top";
  EXPECT_EQ(s.proven_lo, own_lo()) << "the own stack, proven down to its guard page on the way";
  // The own stack is unchanged by it.
  ASSERT_TRUE(stack_for_sample(s, own_hi() - 1000, &hi));
  EXPECT_EQ(hi, own_hi());
  // Nothing of the fiber is remembered: its room is tested again.
  EXPECT_FALSE(stack_for_sample(s, fiber_lo() + 4 * kKiB, &hi)) << "a fiber without room below the frame";
}

TEST_F(StackExtentTest, AboveItsOwnStackTheWalkIsBoundedByTheForeignSpan) {
  OwnStack s = own();
  uintptr_t hi = 0;
  const uintptr_t sp = above_lo() + 20 * kKiB + 8;
  ASSERT_TRUE(stack_for_sample(s, sp, &hi));
  EXPECT_EQ(hi, page_of(sp) + kForeignSpan);
  EXPECT_EQ(s.proven_lo, 0u) << "nothing tested on the own stack";
  EXPECT_FALSE(stack_for_sample(s, above_lo() + 100, &hi)) << "no room below the region";
}

TEST_F(StackExtentTest, AnAddressTooLowForTheRoomHasNone) {
  OwnStack s = own();
  uintptr_t hi = 0;
  EXPECT_FALSE(stack_for_sample(s, kSampleStackRoom - 8, &hi));
}

}  // namespace
}  // namespace heapdrift
