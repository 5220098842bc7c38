// Frame rules: for each return address, how to step from the frame it is in to that
// frame's caller, learned from libunwind's step-by-step walks so that later walks need
// no libunwind at all (stack_capture.cpp). unw_backtrace memoises the same kind of
// thing, but each call pays libunwind's cursor set-up (~100 ns, more than an 8-frame
// walk); this table is read with plain loads and no lock.
//
// On x86-64 a frame's return address is at CFA - 8, where the CFA is the caller's stack
// pointer. Code that keeps frame pointers has CFA = rbp + 16 with the caller's rbp at
// rbp; other code (glibc, most of a distribution) has CFA = rsp + constant at a given
// return address, with the caller's rbp either untouched or saved at CFA - 8k. A rule
// that fits neither, a signal frame, or a frame larger than 8 KiB is marked
// kLibunwindOnly, and stacks through it go to libunwind.
//
// A rule is learned from one step (the registers before and after it) and used only
// once a second step from the same return address agreed with it; a step that
// disagrees with a known rule marks the address kLibunwindOnly for good. Only return
// addresses inside a loaded object are learned, never JIT code, whose addresses are
// reused for other code.
//
// Entries are one 64-bit word (address and rule), added and changed by CAS, never
// removed: readers see either the old or the new word. The table is fixed (128 KiB);
// once an address finds no slot, stacks through unknown addresses go to unw_backtrace
// rather than to a learning walk.
#ifndef HEAPDRIFT_PRELOAD_FRAME_RULES_H
#define HEAPDRIFT_PRELOAD_FRAME_RULES_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "internal_alloc.h"

namespace heapdrift {

struct FrameRule {
  enum Kind : uint8_t { kUnknown, kFramePointer, kStackPointer, kOutermost, kLibunwindOnly };
  Kind kind = kUnknown;
  uint16_t cfa_offset = 0;  // kStackPointer: CFA = rsp + cfa_offset (a multiple of 8)
  uint8_t rbp_slot = 0;     // kStackPointer: 0 = rbp unchanged, k = caller's rbp at CFA - 8k

  static constexpr uint16_t kMaxCfaOffset = 1023 * 8;
  static constexpr uint8_t kMaxRbpSlot = 15;
  bool operator==(const FrameRule&) const = default;
};

// The rule that one observed step implies. `sp`, `bp`: the frame's registers; `cfa`,
// `caller_bp`: its caller's stack pointer and rbp after the step; `rbp_saved_at` the
// address the step restored rbp from (0 if from a register); `ret_slot` the word at
// cfa - 8, which must be the caller's pc `caller_ip`. Pure, for tests.
FrameRule rule_of_step(uintptr_t sp, uintptr_t bp, uintptr_t cfa, uintptr_t caller_bp,
                       uintptr_t rbp_saved_at, uintptr_t ret_slot, uintptr_t caller_ip);

class FrameRules {
 public:
  static constexpr size_t kSlots = size_t{1} << 14;

  // The confirmed rule for return address `pc`, else kUnknown.
  FrameRule find(uintptr_t pc) const {
    if (pc >> kAddressBits) return {};
    for (size_t i = home(pc), n = 0; n < kProbe; ++n, i = (i + 1) & (kSlots - 1)) {
      uint64_t e = slots_[i].load(std::memory_order_acquire);
      if (e == 0) return {};
      if ((e >> kRuleBits) == pc) return (e & kConfirmed) ? decode(e) : FrameRule{};
    }
    return {};
  }

  // One observation of `pc`'s rule (see the header comment for how it counts).
  void learn(uintptr_t pc, FrameRule rule);

  // Some address found no free slot: walks that would learn it go to libunwind instead.
  bool full() const { return full_.load(std::memory_order_relaxed); }

  static constexpr size_t bytes() { return kSlots * sizeof(uint64_t); }

  // Faults the table's pages in (internal_populate): a walk looks a pc up before it
  // learns it, so each page's first touch is a read.
  void populate() { internal_populate(slots_, bytes()); }

 private:
  // Entry: pc in the top 47 bits (user-space addresses on x86-64), then the confirmed
  // bit, the kind - 1 (2 bits), rbp_slot (4) and cfa_offset / 8 (10).
  static constexpr int kRuleBits = 17;
  static constexpr int kAddressBits = 64 - kRuleBits;
  static constexpr uint64_t kConfirmed = uint64_t{1} << 16;
  static constexpr size_t kProbe = 32;
  static constexpr int kSlotBits = 14;
  static_assert(kSlots == size_t{1} << kSlotBits);

  static size_t home(uintptr_t pc) { return (pc * 0x9E3779B97F4A7C15ull) >> (64 - kSlotBits); }
  static uint64_t encode(uintptr_t pc, FrameRule r, bool confirmed) {
    return (uint64_t{pc} << kRuleBits) | (confirmed ? kConfirmed : 0) | (uint64_t(r.kind - 1) << 14) |
           (uint64_t{r.rbp_slot} << 10) | (r.cfa_offset / 8);
  }
  static FrameRule decode(uint64_t e) {
    return {FrameRule::Kind(((e >> 14) & 3) + 1), uint16_t((e & 1023) * 8), uint8_t((e >> 10) & 15)};
  }

  std::atomic<uint64_t> slots_[kSlots] = {};
  std::atomic<bool> full_ = false;
};

// The process's table (in the shim's .bss), shared by every thread.
FrameRules& frame_rules();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_FRAME_RULES_H
