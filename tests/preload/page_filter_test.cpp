#include "page_filter.h"

#include <gtest/gtest.h>

#include <memory>

namespace heapdrift {
namespace {

TEST(PageFilter, CountsSamplesPerPage) {
  auto filter = std::make_unique<PageFilter>();
  EXPECT_FALSE(filter->may_hold(0x7f0000001000));
  filter->add(0x7f0000001010);
  filter->add(0x7f0000001ff0);
  // Every block of the page answers "maybe", the next page does not.
  EXPECT_TRUE(filter->may_hold(0x7f0000001000));
  EXPECT_TRUE(filter->may_hold(0x7f0000001800));
  EXPECT_FALSE(filter->may_hold(0x7f0000002000));
  filter->remove(0x7f0000001010);
  EXPECT_TRUE(filter->may_hold(0x7f0000001800));  // one sample left on the page
  filter->remove(0x7f0000001ff0);
  EXPECT_FALSE(filter->may_hold(0x7f0000001800));
  filter->remove(0x7f0000001ff0);  // never below zero
  filter->add(0x7f0000001ff0);
  EXPECT_TRUE(filter->may_hold(0x7f0000001000));
}

TEST(PageFilter, PagesOneGibibyteApartFoldOntoDifferentBytes) {
  auto filter = std::make_unique<PageFilter>();
  filter->add(0x7f0000001000);
  EXPECT_FALSE(filter->may_hold(0x7f0000001000 + (uintptr_t{1} << 30)));
  EXPECT_FALSE(filter->may_hold(0x550000001000));
}

TEST(PageFilter, ASaturatedByteSticks) {
  auto filter = std::make_unique<PageFilter>();
  for (int i = 0; i < 300; ++i) filter->add(0x10000);
  for (int i = 0; i < 300; ++i) filter->remove(0x10000);
  EXPECT_TRUE(filter->may_hold(0x10000));
}

TEST(PageFilter, PinnedRangesStayMaybe) {
  auto filter = std::make_unique<PageFilter>();
  filter->pin(0, 1);  // free(NULL)
  filter->pin(0x20000800, 0x20003001);  // straddles four pages
  EXPECT_TRUE(filter->may_hold(0));
  for (uintptr_t a = 0x20000000; a < 0x20004000; a += 0x800) EXPECT_TRUE(filter->may_hold(a)) << std::hex << a;
  EXPECT_FALSE(filter->may_hold(0x20004000));
  EXPECT_FALSE(filter->may_hold(0x1fffffff));
  filter->remove(0x20001000);
  EXPECT_TRUE(filter->may_hold(0x20001000));
}

}  // namespace
}  // namespace heapdrift
