// FrameTable: one id per distinct frame, however many times it is interned, through
// the table's growth.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "frame.h"

namespace heapdrift {
namespace {

Frame frame(int n) {
  Frame f;
  f.function = "f" + std::to_string(n % 1000);
  f.signature = f.function + "(int)";
  f.file = "src/file" + std::to_string(n / 1000) + ".cpp";
  f.line = n % 7;
  f.module = "/usr/lib/libexample.so";
  f.kind = FrameKind::kNative;
  return f;
}

TEST(FrameTable, OneIdPerDistinctFrameThroughGrowth) {
  FrameTable table;
  constexpr int kFrames = 20000;  // the table doubles several times
  std::vector<FrameId> ids;
  for (int n = 0; n < kFrames; ++n) ids.push_back(table.intern(frame(n)));
  ASSERT_EQ(table.size(), size_t{kFrames});
  for (int n = 0; n < kFrames; ++n) {
    EXPECT_EQ(ids[n].value, uint32_t(n));
    EXPECT_EQ(table[ids[n]], frame(n));
  }
  for (int n = kFrames - 1; n >= 0; --n) ASSERT_EQ(table.intern(frame(n)), ids[n]) << n;
  EXPECT_EQ(table.size(), size_t{kFrames});
}

TEST(FrameTable, FramesThatDifferInOneFieldAreDistinct) {
  FrameTable table;
  Frame base = frame(1);
  std::vector<Frame> variants(7, base);
  variants[1].function += "x";
  variants[2].signature += "x";
  variants[3].file += "x";
  variants[4].line += 1;
  variants[5].module += "x";
  variants[6].inlined = true;
  for (const Frame& f : variants) table.intern(f);
  Frame kind = base;
  kind.kind = FrameKind::kJvm;
  table.intern(kind);
  EXPECT_EQ(table.size(), 8u);
  EXPECT_EQ(table.intern(base).value, 0u);
}

}  // namespace
}  // namespace heapdrift
