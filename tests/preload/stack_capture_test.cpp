#include "stack_capture.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "frame_pointer_walker.h"
#include "snapshot_format.h"

namespace heapdrift {
namespace {

std::vector<std::string> names(const CapturedStack& s) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < s.depth; ++i) {
    Dl_info info{};
    out.push_back(dladdr(reinterpret_cast<void*>(s.frames[i] - 1), &info) && info.dli_sname ? info.dli_sname : "?");
  }
  return out;
}

bool contains(const std::vector<std::string>& names, const char* part) {
  for (const auto& n : names) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

// Outside the anonymous namespace so that dladdr sees their names.
__attribute__((noinline)) void capture_leaf(UnwindMode mode, CapturedStack* out) {
  capture_stack(mode, 64, 0, 0, current_stack_top(), out);
  asm volatile("" ::: "memory");  // keep the call from becoming a tail call
}

__attribute__((noinline)) void capture_middle(UnwindMode mode, CapturedStack* out) {
  capture_leaf(mode, out);
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void capture_deep(int depth, CapturedStack* out, uint32_t max_depth) {
  if (depth == 0) capture_stack(UnwindMode::kLibunwind, max_depth, 0, 0, current_stack_top(), out);
  else capture_deep(depth - 1, out, max_depth);
  asm volatile("" ::: "memory");
}

namespace {

TEST(StackCapture, LibunwindSeesTheCallers) {
  CapturedStack s;
  capture_middle(UnwindMode::kLibunwind, &s);
  auto n = names(s);
  EXPECT_TRUE(contains(n, "capture_leaf"));
  EXPECT_TRUE(contains(n, "capture_middle"));
  EXPECT_FALSE(s.flags & format::kStackTruncated);
}

TEST(StackCapture, FramePointerWalkSeesTheCallers) {
  CapturedStack s;
  capture_middle(UnwindMode::kFramePointer, &s);
  auto n = names(s);
  EXPECT_TRUE(contains(n, "capture_leaf"));
  EXPECT_TRUE(contains(n, "capture_middle"));
  EXPECT_TRUE(s.flags & format::kStackFramePointer);
}

TEST(StackCapture, SkipsTheLeadingFramesInTheSkipRange) {
  CapturedStack all, skipped;
  capture_middle(UnwindMode::kLibunwind, &all);
  ASSERT_GE(all.depth, 3u);
  // Skip whatever holds the first frame (capture_leaf's code).
  Dl_info info{};
  ASSERT_TRUE(dladdr(reinterpret_cast<void*>(all.frames[0] - 1), &info));
  uintptr_t lo = reinterpret_cast<uintptr_t>(info.dli_saddr);
  capture_stack(UnwindMode::kLibunwind, 64, lo, all.frames[0] + 1, current_stack_top(), &skipped);
  // Called directly from this test, the first frame is now the test body's.
  auto n = names(skipped);
  EXPECT_FALSE(contains(n, "capture_leaf"));
}

TEST(StackCapture, TruncatesAtMaxDepth) {
  CapturedStack s;
  capture_deep(100, &s, 10);
  EXPECT_EQ(s.depth, 10u);
  EXPECT_TRUE(s.flags & format::kStackTruncated);
  capture_deep(100, &s, 256);
  EXPECT_GT(s.depth, 100u);
}

TEST(FramePointerWalker, FollowsAChainInsideTheBounds) {
  // A fake stack: three frames, each [saved fp, return address], callers higher up.
  alignas(16) uintptr_t stack[16] = {};
  auto at = [&](int i) { return reinterpret_cast<uintptr_t>(&stack[i]); };
  stack[2] = at(6), stack[3] = 0x401000;
  stack[6] = at(10), stack[7] = 0x402000;
  stack[10] = 0, stack[11] = 0x403000;  // outermost: saved fp 0 ends the walk after it
  uintptr_t out[8];
  uint32_t n = walk_frame_pointers(at(2), at(0), at(16), out, 8);
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(out[0], 0x401000u);
  EXPECT_EQ(out[1], 0x402000u);
  EXPECT_EQ(out[2], 0x403000u);
}

TEST(FramePointerWalker, NeverReadsOutsideTheBounds) {
  // Only the first 16 words are "the stack"; the rest are there so that a walker
  // reading past the bound would read zeros rather than crash.
  alignas(16) uintptr_t stack[32] = {};
  auto at = [&](int i) { return reinterpret_cast<uintptr_t>(&stack[i]); };
  uintptr_t out[8];
  // Garbage frame pointers: unmapped, misaligned, below, above, pointing downwards.
  EXPECT_EQ(walk_frame_pointers(0x10, at(0), at(16), out, 8), 0u);
  EXPECT_EQ(walk_frame_pointers(at(2) + 3, at(0), at(16), out, 8), 0u);
  EXPECT_EQ(walk_frame_pointers(at(0) - 64, at(0), at(16), out, 8), 0u);
  EXPECT_EQ(walk_frame_pointers(at(15), at(0), at(16), out, 8), 0u);  // its second word is past the top
  stack[4] = 0xdeadbeef00, stack[5] = 0x401000;  // saved fp points outside the stack
  EXPECT_EQ(walk_frame_pointers(at(4), at(0), at(16), out, 8), 1u);
  stack[8] = at(2), stack[9] = 0x401000;  // points downwards: a loop
  stack[2] = at(8), stack[3] = 0x402000;
  EXPECT_EQ(walk_frame_pointers(at(8), at(0), at(16), out, 8), 1u);
  stack[12] = at(14), stack[13] = 0x10;  // a "return address" in the zero page ends it
  EXPECT_EQ(walk_frame_pointers(at(12), at(0), at(16), out, 8), 0u);
}

}  // namespace
}  // namespace heapdrift
