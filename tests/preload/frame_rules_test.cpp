#include "frame_rules.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace heapdrift {
namespace {

constexpr FrameRule kFp{FrameRule::kFramePointer};
constexpr FrameRule kOnly{FrameRule::kLibunwindOnly};

// Registers of one step, on a stack at 0x7ffc0000'0000: the frame's sp and bp, the
// caller's CFA and bp, where rbp was restored from, the word at cfa - 8, the caller's pc.
constexpr uintptr_t S = 0x7ffc00000000;
constexpr uintptr_t kPc = 0x401234;

TEST(RuleOfStep, FramePointerCode) {
  // bp = sp + 32: rbp points at the saved caller rbp, the return address above it.
  EXPECT_EQ(rule_of_step(S, S + 32, S + 48, 0x1111, S + 32, kPc, kPc), kFp);
}

TEST(RuleOfStep, StackPointerCodeWithRbpUntouched) {
  FrameRule r = rule_of_step(S, 0xdead, S + 40, 0xdead, 0, kPc, kPc);
  EXPECT_EQ(r, (FrameRule{FrameRule::kStackPointer, 40, 0}));
  // rbp restored from a deeper frame's save: still untouched by this frame.
  EXPECT_EQ(rule_of_step(S, 0xdead, S + 40, 0xdead, S - 64, kPc, kPc), r);
}

TEST(RuleOfStep, StackPointerCodeThatSavedRbp) {
  // push r15; push r14; push rbp; sub $24: rbp saved at CFA - 32.
  EXPECT_EQ(rule_of_step(S, 77, S + 56, 0x1111, S + 24, kPc, kPc),
            (FrameRule{FrameRule::kStackPointer, 56, 4}));
}

TEST(RuleOfStep, WhatNoRuleFits) {
  EXPECT_EQ(rule_of_step(S, 77, S + 40, 0x1111, 0, kPc, kPc), kOnly);             // rbp changed, not saved here
  EXPECT_EQ(rule_of_step(S, 77, S + 40, 77, 0, kPc + 1, kPc), kOnly);            // no return address at cfa - 8
  EXPECT_EQ(rule_of_step(S, 77, S, 77, 0, kPc, kPc), kOnly);                     // caller not above
  EXPECT_EQ(rule_of_step(S, 77, S + 44, 77, 0, kPc, kPc), kOnly);                // misaligned
  EXPECT_EQ(rule_of_step(S, 77, S + 9000, 77, 0, kPc, kPc), kOnly);              // frame too large to encode
  EXPECT_EQ(rule_of_step(S, 77, S + 8 * 40, 0x1, S + 8, kPc, kPc), kOnly);       // rbp slot too far down
}

TEST(FrameRules, ARuleIsUsedOnceASecondStepAgrees) {
  auto rules = std::make_unique<FrameRules>();
  FrameRule sp{FrameRule::kStackPointer, 56, 4};
  EXPECT_EQ(rules->find(kPc).kind, FrameRule::kUnknown);
  rules->learn(kPc, sp);
  EXPECT_EQ(rules->find(kPc).kind, FrameRule::kUnknown);  // one observation only
  rules->learn(kPc, sp);
  EXPECT_EQ(rules->find(kPc), sp);
  rules->learn(kPc, sp);
  EXPECT_EQ(rules->find(kPc), sp);
}

TEST(FrameRules, DisagreementSendsTheAddressToLibunwindForGood) {
  auto rules = std::make_unique<FrameRules>();
  rules->learn(kPc, kFp);
  rules->learn(kPc, {FrameRule::kStackPointer, 16});
  EXPECT_EQ(rules->find(kPc), kOnly);
  rules->learn(kPc, kFp);
  rules->learn(kPc, kFp);
  EXPECT_EQ(rules->find(kPc), kOnly);
  // A confirmed rule contradicted later (code unloaded, other code loaded there).
  rules->learn(kPc + 1, kFp);
  rules->learn(kPc + 1, kFp);
  rules->learn(kPc + 1, {FrameRule::kOutermost});
  EXPECT_EQ(rules->find(kPc + 1), kOnly);
}

// The walk trusts a stack-pointer rule to keep its reads inside the frame.
TEST(FrameRules, RulesThatWouldReadBelowTheFrameAreNotKept) {
  auto rules = std::make_unique<FrameRules>();
  FrameRule below{FrameRule::kStackPointer, 16, 3};  // rbp slot at CFA - 24, under sp
  FrameRule empty{FrameRule::kStackPointer, 0, 0};   // return address under sp
  rules->learn(kPc, below);
  rules->learn(kPc + 1, empty);
  EXPECT_EQ(rules->find(kPc), kOnly);
  EXPECT_EQ(rules->find(kPc + 1), kOnly);
}

TEST(FrameRules, EveryFieldSurvivesTheEncoding) {
  auto rules = std::make_unique<FrameRules>();
  const uintptr_t top = (uintptr_t{1} << 47) - 8;  // the highest user-space address
  FrameRule widest{FrameRule::kStackPointer, FrameRule::kMaxCfaOffset, FrameRule::kMaxRbpSlot};
  rules->learn(top, widest);
  rules->learn(top, widest);
  EXPECT_EQ(rules->find(top), widest);
  rules->learn(uintptr_t{1} << 47, kFp);  // above user space: never kept
  rules->learn(uintptr_t{1} << 47, kFp);
  EXPECT_EQ(rules->find(uintptr_t{1} << 47).kind, FrameRule::kUnknown);
  EXPECT_EQ(rules->find(top & ((uintptr_t{1} << 46) - 1)).kind, FrameRule::kUnknown);
}

TEST(FrameRules, ManyAddressesAndAFullTable) {
  auto rules = std::make_unique<FrameRules>();
  const size_t n = FrameRules::kSlots / 2;
  for (size_t i = 0; i < n; ++i) {
    FrameRule r{FrameRule::kStackPointer, uint16_t(8 * (i % 1000 + 16)), uint8_t(i % 16)};
    rules->learn(0x400000 + 16 * i, r);
    rules->learn(0x400000 + 16 * i, r);
  }
  size_t found = 0;
  for (size_t i = 0; i < n; ++i) {
    FrameRule r = rules->find(0x400000 + 16 * i);
    if (r.kind == FrameRule::kUnknown) continue;
    ++found;
    ASSERT_EQ(r, (FrameRule{FrameRule::kStackPointer, uint16_t(8 * (i % 1000 + 16)), uint8_t(i % 16)}));
  }
  EXPECT_EQ(found, n);
  EXPECT_FALSE(rules->full());
  // Past capacity, new addresses stay unknown (their stacks go to libunwind) and the
  // rules already there are kept.
  for (size_t i = 0; i < FrameRules::kSlots; ++i) {
    rules->learn(0x9000000 + 16 * i, kFp);
    rules->learn(0x9000000 + 16 * i, kFp);
  }
  EXPECT_TRUE(rules->full());
  size_t still = 0;
  for (size_t i = 0; i < n; ++i) still += rules->find(0x400000 + 16 * i).kind != FrameRule::kUnknown;
  EXPECT_EQ(still, found);
}

TEST(FrameRules, ThreadsLearningTheSameAddressesAgree) {
  auto rules = std::make_unique<FrameRules>();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (uintptr_t i = 0; i < 2000; ++i) rules->learn(0x500000 + 8 * i, {FrameRule::kStackPointer, 24, 0});
    });
  }
  for (auto& t : threads) t.join();
  for (uintptr_t i = 0; i < 2000; ++i) {
    ASSERT_EQ(rules->find(0x500000 + 8 * i), (FrameRule{FrameRule::kStackPointer, 24, 0})) << i;
  }
}

}  // namespace
}  // namespace heapdrift
