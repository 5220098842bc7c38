#include "frame_rules.h"

namespace heapdrift {

FrameRule rule_of_step(uintptr_t sp, uintptr_t bp, uintptr_t cfa, uintptr_t caller_bp,
                       uintptr_t rbp_saved_at, uintptr_t ret_slot, uintptr_t caller_ip) {
  constexpr FrameRule kNone{FrameRule::kLibunwindOnly};
  if (cfa <= sp || (cfa & 7) != 0 || ret_slot != caller_ip) return kNone;
  // Frame-pointer code: rbp points at the saved caller rbp, just below the return address.
  if (cfa == bp + 16 && rbp_saved_at == bp) return {FrameRule::kFramePointer};
  uintptr_t offset = cfa - sp;
  if ((offset & 7) != 0 || offset > FrameRule::kMaxCfaOffset) return kNone;
  FrameRule r{FrameRule::kStackPointer, static_cast<uint16_t>(offset)};
  if (rbp_saved_at != 0 && rbp_saved_at >= sp && rbp_saved_at < cfa - 8 && (cfa - rbp_saved_at) % 8 == 0 &&
      (cfa - rbp_saved_at) / 8 <= FrameRule::kMaxRbpSlot) {
    r.rbp_slot = static_cast<uint8_t>((cfa - rbp_saved_at) / 8);
  } else if (caller_bp != bp) {
    return kNone;  // rbp changed, but not from a slot of this frame
  }
  return r;
}

void FrameRules::learn(uintptr_t pc, FrameRule rule) {
  if (pc == 0 || (pc >> kAddressBits) || rule.kind == FrameRule::kUnknown) return;
  // The walk reads a stack-pointer frame's return address and rbp slot without checking
  // them against the frame's own stack pointer: that is this check.
  if (rule.kind == FrameRule::kStackPointer &&
      (rule.cfa_offset < 8 || rule.cfa_offset % 8 != 0 || rule.cfa_offset > FrameRule::kMaxCfaOffset ||
       rule.rbp_slot > FrameRule::kMaxRbpSlot || 8 * rule.rbp_slot > rule.cfa_offset)) {
    rule = {FrameRule::kLibunwindOnly};
  }
  for (size_t i = home(pc), n = 0; n < kProbe; ++n, i = (i + 1) & (kSlots - 1)) {
    uint64_t e = slots_[i].load(std::memory_order_acquire);
    for (;;) {
      if (e == 0) {
        uint64_t seen = encode(pc, rule, rule.kind == FrameRule::kLibunwindOnly);
        if (slots_[i].compare_exchange_strong(e, seen, std::memory_order_acq_rel)) return;
        continue;  // another thread took the slot: look at what it wrote
      }
      if ((e >> kRuleBits) != pc) break;  // someone else's slot: probe on
      FrameRule known = decode(e);
      if (known.kind == FrameRule::kLibunwindOnly) return;
      uint64_t next = known == rule ? encode(pc, rule, true) : encode(pc, {FrameRule::kLibunwindOnly}, true);
      if (next == e || slots_[i].compare_exchange_strong(e, next, std::memory_order_acq_rel)) return;
    }
  }
  full_.store(true, std::memory_order_relaxed);
}

FrameRules& frame_rules() {
  static FrameRules rules;  // constant-initialised: no guard, no allocation
  return rules;
}

}  // namespace heapdrift
