#include "stack_capture.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <csignal>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "address_test.h"
#include "frame_pointer_walker.h"
#include "frame_rules.h"
#include "interpreter_frames.h"
#include "libunwind_library.h"
#include "snapshot_format.h"
#include "stack_extent.h"

namespace heapdrift {
int g_unwind_steps = 0;
}

// The executable's symbols come first, so the shim core's unw_step calls (and
// libunwind's own) reach this definition, which counts them.
extern "C" int _ULx86_64_step(unw_cursor_t* cursor) {
  static auto real = reinterpret_cast<int (*)(unw_cursor_t*)>(dlsym(RTLD_NEXT, "_ULx86_64_step"));
  ++heapdrift::g_unwind_steps;
  return real(cursor);
}

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

CapturedStack frames_of_stack(const std::vector<uintptr_t>& frames) {
  CapturedStack s{};
  for (uintptr_t pc : frames) s.frames[s.depth++] = pc;
  return s;
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
  capture_stack(mode, 64, 0, 0, current_stack_top(), true, out);
  asm volatile("" ::: "memory");  // keep the call from becoming a tail call
}

__attribute__((noinline)) void capture_middle(UnwindMode mode, CapturedStack* out) {
  capture_leaf(mode, out);
  asm volatile("" ::: "memory");
}

__attribute__((noinline)) void capture_deep(int depth, CapturedStack* out, uint32_t max_depth) {
  if (depth == 0) capture_stack(UnwindMode::kLibunwind, max_depth, 0, 0, current_stack_top(), true, out);
  else capture_deep(depth - 1, out, max_depth);
  asm volatile("" ::: "memory");
}

// stack_capture_nofp.cpp, built without frame pointers: `depth` frames, then leaf(arg).
extern "C" uint64_t nofp_chain(int depth, uint64_t seed, void (*leaf)(void*), void* arg);
// Two frames there, nofp_pair_outer calling nofp_pair_inner calling leaf(arg).
extern "C" uint64_t nofp_pair_outer(uint64_t seed, void (*leaf)(void*), void* arg);

__attribute__((noinline)) void capture_into(void* stack) {
  capture_stack(UnwindMode::kLibunwind, 64, 0, 0, current_stack_top(), true, static_cast<CapturedStack*>(stack));
  asm volatile("" ::: "memory");
}

CapturedStack g_in_handler;
void capture_in_handler(int) { capture_into(&g_in_handler); }

__attribute__((noinline)) void signal_sender() {
  raise(SIGUSR1);
  asm volatile("" ::: "memory");
}

// Every walk of the hand-back test through one call site: only the leaf differs.
__attribute__((noinline)) void chain_to(void (*leaf)(void*), CapturedStack* out) {
  nofp_chain(20, 1, leaf, out);
  asm volatile("" ::: "memory");
}

// The same chain from a call site no other test uses.
__attribute__((noinline)) void chain_from_elsewhere(void (*leaf)(void*), CapturedStack* out) {
  nofp_chain(20, 2, leaf, out);
  asm volatile("" ::: "memory");
}

// Called by nothing else: its return address is new to the rules.
__attribute__((noinline)) void capture_from_a_new_site(void* stack) {
  capture_into(stack);
  asm volatile("" ::: "memory");
}

// One call site for both calls of the stale-rule test.
__attribute__((noinline)) void pair_from_a_new_site(void (*leaf)(void*), void* arg) {
  nofp_pair_outer(3, leaf, arg);
  asm volatile("" ::: "memory");
}

// The return address in nofp_pair_inner and its frame's CFA offset, and the outer
// frame's, as libunwind steps them (nothing learned).
struct PairLayout {
  uintptr_t inner_ret = 0, inner_offset = 0, outer_offset = 0;
};
PairLayout g_pair;
__attribute__((noinline)) void measure_pair(void*) {
  unw_context_t context;
  unw_cursor_t cursor;
  unw_getcontext(&context);
  unw_init_local(&cursor, &context);
  unw_word_t ip[4] = {}, sp[4] = {};
  for (int i = 0; i < 4; ++i) {
    unw_get_reg(&cursor, UNW_REG_IP, &ip[i]);
    unw_get_reg(&cursor, UNW_REG_SP, &sp[i]);
    if (i < 3 && unw_step(&cursor) <= 0) return;
  }
  // Frame 1 is nofp_pair_inner at its call of this function, 2 nofp_pair_outer.
  g_pair = {ip[1], sp[2] - sp[1], sp[3] - sp[2]};
}

using JitStub = void (*)(void (*)(void*), void*);
__attribute__((noinline)) void jit_caller(JitStub stub, CapturedStack* out) {
  stub(capture_into, out);
  asm volatile("" ::: "memory");
}

namespace {

std::vector<uintptr_t> frames_of(const CapturedStack& s) { return {s.frames, s.frames + s.depth}; }

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
  capture_stack(UnwindMode::kLibunwind, 64, lo, all.frames[0] + 1, current_stack_top(), true, &skipped);
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

// The first walks are libunwind's, step by step, and teach the frame rules (each rule
// needs two agreeing steps); later walks follow the rules alone. Both must see the
// same frames, through code without frame pointers that keeps data in rbp.
TEST(StackCapture, LearnedRulesWalkThroughCodeWithoutFramePointers) {
  std::vector<std::vector<uintptr_t>> walks;
  for (int i = 0; i < 4; ++i) {
    CapturedStack s;
    nofp_chain(5, i, capture_into, &s);
    walks.push_back(frames_of(s));
  }
  const auto& last = walks.back();
  EXPECT_EQ(walks[0], last);
  auto n = names(frames_of_stack(last));
  EXPECT_EQ(std::count(n.begin(), n.end(), "nofp_chain"), 6);
  // Every frame has its rule now, so the last walk was the rules' alone.
  bool saved_rbp = false;
  for (uintptr_t pc : last) {
    FrameRule r = frame_rules().find(pc);
    ASSERT_NE(r.kind, FrameRule::kUnknown) << std::hex << pc;
    ASSERT_NE(r.kind, FrameRule::kLibunwindOnly) << std::hex << pc;
    saved_rbp |= r.kind == FrameRule::kStackPointer && r.rbp_slot != 0;
  }
  EXPECT_TRUE(saved_rbp);  // nofp_chain pushes rbp
  EXPECT_EQ(frame_rules().find(last.back()).kind, FrameRule::kOutermost);
}

// A learning walk steps libunwind only as far as the frames it does not know: from the
// first known one, the rules take over. A stack of ~40 frames that differs from a known
// one only in its second frame must be learned in a handful of libunwind steps, and
// come out as the known stack with that frame in it. Like the next test, it needs the
// first walks of its process through these functions (so --gtest_repeat fails it).
TEST(StackCapture, ALearningWalkHandsTheKnownFramesBackToTheRules) {
  CapturedStack known, fresh;
  void (*leaves[])(void*) = {capture_into, capture_into, capture_into, capture_from_a_new_site};
  CapturedStack* outs[] = {&known, &known, &known, &fresh};  // three to confirm every rule
  volatile int rounds = 4;  // not unrolled: one call site in this function for all four
  int steps = 0;
  for (int i = 0; i < rounds; ++i) {
    g_unwind_steps = 0;
    chain_to(leaves[i], outs[i]);
    steps = g_unwind_steps;
  }
  ASSERT_GT(known.depth, 30u);
  ASSERT_FALSE(known.flags & format::kStackTruncated);
  auto k = frames_of(known), f = frames_of(fresh);
  ASSERT_EQ(f.size(), k.size() + 1);
  EXPECT_EQ(f[0], k[0]);  // in capture_into
  EXPECT_TRUE(contains({names(fresh)[1]}, "capture_from_a_new_site"));
  EXPECT_EQ(std::vector<uintptr_t>(f.begin() + 2, f.end()), std::vector<uintptr_t>(k.begin() + 1, k.end()));
  EXPECT_GT(steps, 0) << "no learning walk: the test proves nothing";
  EXPECT_LE(steps, 6) << "libunwind stepped through frames the rules know";
}

// When the rules, having taken over, meet an unknown frame further down, the walk goes
// back to where they took over and libunwind steps on: the stacks must be the same
// whether learned that way or, later, walked by the rules alone.
TEST(StackCapture, ALearningWalkGoesBackWhenTheRulesMeetAnUnknownFrame) {
  CapturedStack warm;
  chain_to(capture_into, &warm);  // the 21 nofp_chain frames' rules, at least
  chain_to(capture_into, &warm);
  std::vector<std::vector<uintptr_t>> walks;
  std::vector<int> steps;
  volatile int rounds = 4;  // not unrolled: each walk through the same call site
  for (int i = 0; i < rounds; ++i) {
    CapturedStack s;
    g_unwind_steps = 0;
    chain_from_elsewhere(capture_into, &s);
    steps.push_back(g_unwind_steps);
    walks.push_back(frames_of(s));
  }
  for (const auto& w : walks) EXPECT_EQ(w, walks.back());
  auto n = names(frames_of_stack(walks.back()));
  ASSERT_GT(n.size(), 23u);
  EXPECT_TRUE(contains({n[0]}, "capture_into"));
  EXPECT_EQ(std::count(n.begin(), n.begin() + 22, "nofp_chain"), 21);
  EXPECT_TRUE(contains({n[22]}, "chain_from_elsewhere"));
  EXPECT_GT(steps[0], 21) << "the first walk must learn a frame below the nofp_chain frames";
  EXPECT_EQ(steps.back(), 0) << "the rules alone must walk it once learned";
}

// A confirmed rule can be wrong (two steps that agreed by chance). The rules' walk then
// goes astray; where it meets an unknown frame, the learning walk steps libunwind again
// through every frame down to it, the one whose rule led there included, and finds the
// rule stale. (A learning walk that started libunwind where the rules stopped would
// not: measured, it saved nothing, docs/UNWINDING.md.) Here a stale rule for the return
// address in nofp_pair_inner that skips nofp_pair_outer's frame leads the walk to
// pair_from_a_new_site's, which no walk has learned: the stack must still have
// nofp_pair_outer's frame, and the rule must be libunwind's alone from then on.
TEST(StackCapture, ALearningWalkStepsAgainTheFrameWhoseRuleLedToAnUnknownOne) {
  pair_from_a_new_site(measure_pair, nullptr);
  ASSERT_NE(g_pair.inner_ret, 0u);
  ASSERT_EQ(frame_rules().find(g_pair.inner_ret).kind, FrameRule::kUnknown) << "the test needs a new address";
  const FrameRule stale{FrameRule::kStackPointer, static_cast<uint16_t>(g_pair.inner_offset + g_pair.outer_offset)};
  frame_rules().learn(g_pair.inner_ret, stale);
  frame_rules().learn(g_pair.inner_ret, stale);
  ASSERT_EQ(frame_rules().find(g_pair.inner_ret), stale);
  CapturedStack s;
  pair_from_a_new_site(capture_into, &s);
  EXPECT_TRUE(contains(names(s), "nofp_pair_outer")) << "the stale rule skipped its frame";
  EXPECT_EQ(frame_rules().find(g_pair.inner_ret).kind, FrameRule::kLibunwindOnly) << "the stale rule was not caught";
}

// A signal frame has no rule: walks through it are libunwind's, and see the frames
// the signal interrupted.
TEST(StackCapture, WalksOutOfSignalHandlers) {
  // Loaded at start-up in the shim (lifecycle.cpp), never first in a handler: dlopen
  // is no function for one.
  ASSERT_NE(libunwind(), nullptr);
  auto old = signal(SIGUSR1, capture_in_handler);
  std::vector<std::vector<uintptr_t>> walks;
  for (int i = 0; i < 4; ++i) {
    g_in_handler = {};
    signal_sender();
    walks.push_back(frames_of(g_in_handler));
  }
  signal(SIGUSR1, old);
  EXPECT_EQ(walks[0], walks.back());
  EXPECT_TRUE(contains(names(g_in_handler), "signal_sender"));
  bool through_libunwind = false;
  for (uintptr_t pc : walks.back()) through_libunwind |= frame_rules().find(pc).kind == FrameRule::kLibunwindOnly;
  EXPECT_TRUE(through_libunwind);  // the signal frame's
}

// Code outside every loaded object (JIT code) gets no rule; the walk goes on through its
// frame pointers, as HotSpot's -XX:+PreserveFramePointer keeps them.
TEST(StackCapture, GoesOnThroughJitCodeByFramePointers) {
  // push rbp; mov rbp, rsp; mov rax, rdi; mov rdi, rsi; call rax; pop rbp; ret
  const unsigned char code[] = {0x55, 0x48, 0x89, 0xe5, 0x48, 0x89, 0xf8, 0x48,
                                0x89, 0xf7, 0xff, 0xd0, 0x5d, 0xc3};
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(page, MAP_FAILED);
  memcpy(page, code, sizeof code);
  ASSERT_EQ(mprotect(page, 4096, PROT_READ | PROT_EXEC), 0);
  const uintptr_t lo = reinterpret_cast<uintptr_t>(page);
  for (int i = 0; i < 4; ++i) {
    CapturedStack s;
    jit_caller(reinterpret_cast<JitStub>(page), &s);
    auto frames = frames_of(s);
    EXPECT_TRUE(std::any_of(frames.begin(), frames.end(), [&](uintptr_t pc) { return pc - lo < sizeof code; }));
    EXPECT_TRUE(contains(names(s), "jit_caller")) << i;
    // libunwind's own walks (the first) cross it by guessing from rbp without saying
    // so; the rules' walk hands it to the frame-pointer walk, which says so.
    if (i == 3) {
      EXPECT_TRUE(s.flags & format::kStackFramePointer);
    }
  }
  munmap(page, 4096);
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

// Another stack (a goroutine's): its pages are asked for before they are read, frames
// must go up, and a return address must be code. Three pages, the middle one made
// unreadable: a chain that leads there ends, without a fault.
TEST(FramePointerWalker, OnAnotherStackReadsOnlyPagesProvenReadable) {
  constexpr size_t kPage = 4096;
  auto* base = static_cast<char*>(mmap(nullptr, 3 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(base, MAP_FAILED);
  auto word = [&](size_t offset) -> uintptr_t& { return *reinterpret_cast<uintptr_t*>(base + offset); };
  auto at = [&](size_t offset) { return reinterpret_cast<uintptr_t>(base + offset); };
  auto is_code = [](uintptr_t pc) { return pc >= 0x400000 && pc < 0x500000; };
  std::vector<uintptr_t> asked;
  auto readable = [&](uintptr_t page) {
    asked.push_back(page);
    return heapdrift::readable(page);
  };
  auto walk = [&](uintptr_t fp) {
    std::vector<uintptr_t> out;
    asked.clear();
    walk_frame_pointers_elsewhere(fp, readable, is_code, [&](uintptr_t ret, uintptr_t) {
      out.push_back(ret);
      return true;
    });
    return out;
  };
  // Two frames on the first page, a third whose words straddle the first and the
  // second page; the third page's frame is what the second's [fp] leads to.
  word(64) = at(128), word(72) = 0x401000;
  word(128) = at(kPage - 8), word(136) = 0x402000;
  word(kPage - 8) = at(2 * kPage + 16);  // its return address, the second page's first word
  word(kPage) = 0x403000;
  word(2 * kPage + 16) = 0, word(2 * kPage + 24) = 0x404000;
  EXPECT_EQ(walk(at(64)), (std::vector<uintptr_t>{0x401000, 0x402000, 0x403000, 0x404000}));
  EXPECT_EQ(asked, (std::vector<uintptr_t>{at(0), at(kPage), at(2 * kPage)}));  // each page once
  ASSERT_EQ(mprotect(base + kPage, kPage, PROT_NONE), 0);
  EXPECT_EQ(walk(at(64)), (std::vector<uintptr_t>{0x401000, 0x402000}));  // the straddling frame is not read
  EXPECT_EQ(walk(at(kPage + 64)), std::vector<uintptr_t>{});
  // A return address that is not code ends the walk before it; so does a frame below
  // its callee, after it.
  word(136) = 0x10000000;
  EXPECT_EQ(walk(at(64)), std::vector<uintptr_t>{0x401000});
  word(136) = 0x402000, word(128) = at(32), word(32) = at(128), word(40) = 0x405000;
  EXPECT_EQ(walk(at(64)), (std::vector<uintptr_t>{0x401000, 0x402000}));
  EXPECT_EQ(walk(at(64) + 4), std::vector<uintptr_t>{});  // misaligned
  munmap(base, 3 * kPage);
}

// An interpreted frame's Method* is the word 3 below *its own* frame pointer: the
// return address at [fp + 8] is a pc in the caller, whose frame pointer is [fp]. A fake
// stack whose frames hold distinct words at every fp - 24 checks that pairing.
TEST(InterpretedFrames, KeepsTheMethodSlotOfTheFrameThePcIsIn) {
  alignas(16) uintptr_t stack[64] = {};
  auto at = [&](int i) { return reinterpret_cast<uintptr_t>(&stack[i]); };
  const uintptr_t interp = 0x700000, interp_size = 0x1000;
  InterpreterFrames published;
  ASSERT_TRUE(published.publish(interp, interp_size, -24));
  // Frame pointers at words 4, 12, 20, 28, 36; each frame's slot 3 words below it.
  int fp[] = {4, 12, 20, 28, 36};
  uintptr_t ret[] = {interp + 0x10, 0x401000, interp + 0x20, interp + interp_size, 0x402000};
  for (int k = 0; k < 5; ++k) {
    stack[fp[k]] = k + 1 < 5 ? at(fp[k + 1]) : 0;
    stack[fp[k] + 1] = ret[k];
    stack[fp[k] - 3] = 0xA000 + k;  // "Method*" of the frame whose fp this is
  }
  CapturedStack out;
  out.depth = 0;
  out.flags = 0;
  capture_frame_pointer_chain(at(fp[0]), at(0), at(64), published, 64, &out);
  ASSERT_EQ(out.depth, 5u);
  EXPECT_TRUE(out.flags & format::kStackInterpreterMethods);
  EXPECT_TRUE(out.flags & format::kStackFramePointer);
  EXPECT_EQ(out.frames[0], ret[0]);
  EXPECT_EQ(out.methods[0], 0xA001u);  // ret[0] is in the frame at fp[1]
  EXPECT_EQ(out.methods[1], 0u);       // not interpreter code
  EXPECT_EQ(out.methods[2], 0xA003u);
  EXPECT_EQ(out.methods[3], 0xA004u);  // the range's end is the last call's return address
  EXPECT_EQ(out.methods[4], 0u);

  // Nothing published: no slot is read.
  InterpreterFrames none;
  capture_frame_pointer_chain(at(fp[0]), at(0), at(64), none, 64, &(out = {}));
  EXPECT_EQ(out.depth, 5u);
  EXPECT_FALSE(out.flags & format::kStackInterpreterMethods);
}

TEST(InterpretedFrames, SlotsOutsideTheStackAreNeverRead) {
  alignas(16) uintptr_t stack[64] = {};
  auto at = [&](int i) { return reinterpret_cast<uintptr_t>(&stack[i]); };
  InterpreterFrames published;
  ASSERT_TRUE(published.publish(0x700000, 0x1000, -24));
  CapturedStack out{};
  // The caller's fp is garbage (unmapped): its return address is kept, its slot not read.
  stack[10] = 0x10, stack[11] = 0x700010;
  capture_frame_pointer_chain(at(10), at(0), at(64), published, 64, &out);
  ASSERT_EQ(out.depth, 1u);
  EXPECT_EQ(out.methods[0], 0u);
  // The caller's fp is inside the stack but its slot would be below the bound.
  out = {};
  stack[20] = at(21), stack[21] = 0x700010;
  capture_frame_pointer_chain(at(20), at(19), at(64), published, 64, &out);
  EXPECT_EQ(out.methods[0], 0u);
  // Misaligned caller fp.
  out = {};
  stack[30] = at(40) + 4, stack[31] = 0x700010;
  capture_frame_pointer_chain(at(30), at(0), at(64), published, 64, &out);
  EXPECT_EQ(out.methods[0], 0u);
  EXPECT_EQ(read_frame_slot(at(40), -24, at(0), at(64)), stack[37]);
  EXPECT_EQ(read_frame_slot(at(2), -24, at(0), at(64)), 0u);    // below lo
  EXPECT_EQ(read_frame_slot(at(63) + 24, -8, at(0), at(63) + 8), 0u);  // at hi
  EXPECT_EQ(read_frame_slot(16, -24, 0, ~uintptr_t{0}), 0u);    // wraps around
}

TEST(InterpretedFrames, PublishChecksWhatItIsGiven) {
  InterpreterFrames f;
  EXPECT_FALSE(f.active());
  EXPECT_FALSE(f.publish(0x1000, 0, -24));            // empty
  EXPECT_FALSE(f.publish(0x1000, 0x100, -20));        // misaligned
  EXPECT_FALSE(f.publish(0x1000, 0x100, 8));          // above the frame pointer
  EXPECT_FALSE(f.publish(0x1000, 0x100, -8 * 17));    // beyond a frame's fixed part
  EXPECT_FALSE(f.publish(~uintptr_t{0} - 4, 0x100, -24));  // wraps around
  EXPECT_FALSE(f.active());
  EXPECT_TRUE(f.publish(0x1000, 0x100, -24));
  EXPECT_TRUE(f.publish(0x1000, 0x100, -24));   // again: accepted, not added twice
  EXPECT_FALSE(f.publish(0x3000, 0x100, -32));  // another layout in the same process
  EXPECT_TRUE(f.active());
  EXPECT_EQ(f.method_slot(0x1001), -24);  // return address of a call ending at 0x1000
  EXPECT_EQ(f.method_slot(0x1100), -24);
  EXPECT_EQ(f.method_slot(0x1000), 0);
  EXPECT_EQ(f.method_slot(0x1101), 0);
  for (unsigned i = 1; i < InterpreterFrames::kMaxRanges; ++i) EXPECT_TRUE(f.publish(0x10000 * (i + 1), 0x10, -24));
  EXPECT_FALSE(f.publish(0x900000, 0x10, -24));  // full
  EXPECT_EQ(f.method_slot(0x10000 * InterpreterFrames::kMaxRanges + 1), -24);
}

// The exported entry point the recorder finds with dlsym fills the shim's instance.
TEST(InterpretedFrames, TheExportedFunctionPublishesToTheProcessInstance) {
  EXPECT_EQ(heapdrift_publish_interpreter_v1(reinterpret_cast<const void*>(0x5000), 0x100, -20), 0);
  EXPECT_EQ(heapdrift_publish_interpreter_v1(reinterpret_cast<const void*>(0x5000), 0x100, -24), 1);
  EXPECT_EQ(interpreter_frames().method_slot(0x5010), -24);
}

}  // namespace
}  // namespace heapdrift
