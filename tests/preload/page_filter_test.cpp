#include "page_filter.h"

#include <gtest/gtest.h>

#include <memory>

namespace heapdrift {
namespace {

constexpr uintptr_t kPage = 0x7f0000001000;

TEST(PageFilter, CountsSamplesPerPage) {
  auto filter = std::make_unique<PageFilter>();
  EXPECT_FALSE(filter->may_hold(kPage));
  filter->add(kPage + 0x10);
  filter->add(kPage + 0xff0);
  // Two samples: every block of the page answers "maybe", the next page does not.
  for (uintptr_t a = kPage; a < kPage + 4096; a += 0x100) EXPECT_TRUE(filter->may_hold(a)) << std::hex << a;
  EXPECT_FALSE(filter->may_hold(kPage + 4096));
  filter->remove(kPage + 0x10);
  // One left, and where it is is no longer known.
  EXPECT_TRUE(filter->may_hold(kPage + 0x800));
  filter->remove(kPage + 0xff0);
  EXPECT_FALSE(filter->may_hold(kPage + 0x800));
  filter->remove(kPage + 0xff0);  // never below zero
  filter->add(kPage + 0xff0);
  EXPECT_TRUE(filter->may_hold(kPage + 0xf00));
}

TEST(PageFilter, OneSampleRulesOutTheBlocksStartingElsewhereOnItsPage) {
  auto filter = std::make_unique<PageFilter>();
  filter->add(kPage + 0x210);  // in the page's second 512 bytes
  for (uintptr_t a = kPage; a < kPage + 4096; a += 0x10) {
    EXPECT_EQ(filter->may_hold(a), a >= kPage + 0x200 && a < kPage + 0x400) << std::hex << a;
  }
  filter->remove(kPage + 0x210);
  EXPECT_FALSE(filter->may_hold(kPage + 0x210));
}

TEST(PageFilter, PagesOneGibibyteApartFoldOntoDifferentBytes) {
  auto filter = std::make_unique<PageFilter>();
  filter->add(kPage);
  EXPECT_FALSE(filter->may_hold(kPage + (uintptr_t{1} << 30)));
  EXPECT_FALSE(filter->may_hold(0x550000001000));
}

// Threads' arenas lie at the same place of 64 MiB-aligned heaps, in regions of 1 GiB
// next to each other, and their busiest pages are the first.
TEST(PageFilter, TheFirstPagesOfArenasInNeighbouringRegionsKeepApart) {
  constexpr uintptr_t kHeap = 0x7f29f8000000;  // seen in a JVM: 0x7f29f8000000, 0x7f2a38000000, ...
  constexpr uintptr_t kRegion = uintptr_t{1} << 30;
  for (uintptr_t near = 0; near < 64; ++near) {
    auto filter = std::make_unique<PageFilter>();
    filter->add(kHeap + near * 4096 + 0x10);
    for (uintptr_t region = 1; region <= 16; ++region) {
      for (uintptr_t page = 0; page < 1024; ++page) {  // 4 MiB of each heap
        for (uintptr_t other : {kHeap + region * kRegion, kHeap - region * kRegion}) {
          ASSERT_FALSE(filter->may_hold(other + page * 4096 + 0x10)) << std::hex << other + page * 4096;
        }
      }
    }
  }
}

TEST(PageFilter, ASaturatedCountSticks) {
  auto filter = std::make_unique<PageFilter>();
  for (int i = 0; i < 20; ++i) filter->add(0x10000 + 16 * i);
  for (int i = 0; i < 20; ++i) filter->remove(0x10000 + 16 * i);
  EXPECT_TRUE(filter->may_hold(0x10000));
  EXPECT_TRUE(filter->may_hold(0x10f00));
}

TEST(PageFilter, PinnedRangesStayMaybe) {
  auto filter = std::make_unique<PageFilter>();
  filter->pin(0, 1);  // free(NULL)
  filter->pin(0x20000800, 0x20003001);  // straddles four pages
  EXPECT_TRUE(filter->may_hold(0));
  for (uintptr_t a = 0x20000000; a < 0x20004000; a += 0x200) EXPECT_TRUE(filter->may_hold(a)) << std::hex << a;
  EXPECT_FALSE(filter->may_hold(0x20004000));
  EXPECT_FALSE(filter->may_hold(0x1fffffff));
  filter->remove(0x20001000);
  filter->add(0x20001000);
  EXPECT_TRUE(filter->may_hold(0x20001e00));
}

}  // namespace
}  // namespace heapdrift
