#include "stack_capture.h"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>

#include "address_test.h"
#include "errno_kept.h"
#include "frame_pointer_walker.h"
#include "frame_rules.h"
#include "libunwind_library.h"
#include "module_map.h"
#include "signal_block.h"
#include "snapshot_format.h"

namespace heapdrift {
namespace {

// Adds a frame unless it belongs to the leading run of skipped (shim) frames.
struct FrameSink {
  CapturedStack* out;
  uint32_t max_depth;
  uintptr_t skip_lo, skip_hi;
  const InterpreterFrames& interpreter;
  uintptr_t stack_lo, stack_hi;  // bounds of the slot reads
  bool own_stack;                 // capture_stack's: whether other_stack_tail may leave it
  bool skipping = true;
  uint32_t seen = 0;  // frames given to add(), skipped ones included
  // Whether a JVM published its interpreter when the walk began: methods[] is written
  // only then (it is read only under kStackInterpreterMethods).
  bool interpreting = interpreter.active();

  void restart() {
    out->depth = 0;
    out->flags = 0;
    skipping = true;
    seen = 0;
  }

  struct Mark {
    uint32_t depth, flags, seen;
    bool skipping;
  };
  Mark mark() const { return {out->depth, out->flags, seen, skipping}; }
  void back_to(const Mark& m) {
    out->depth = m.depth;
    out->flags = m.flags;
    seen = m.seen;
    skipping = m.skipping;
  }

  // `fp` is the frame pointer of the frame that `ip` (a return address) is in.
  // False once the stack is full.
  bool add(uintptr_t ip, uintptr_t fp) {
    ++seen;
    if (skipping) {
      if (ip >= skip_lo && ip < skip_hi) return true;
      skipping = false;
    }
    uint32_t depth = out->depth;
    if (depth == max_depth) {
      out->flags |= format::kStackTruncated;
      return false;
    }
    if (interpreting) {
      uintptr_t method = 0;
      if (intptr_t offset = interpreter.method_slot(ip)) method = read_frame_slot(fp, offset, stack_lo, stack_hi);
      if (method) out->flags |= format::kStackInterpreterMethods;
      out->methods[depth] = method;
    }
    out->frames[depth] = ip;
    out->depth = depth + 1;
    return true;
  }

  void frame_pointer_tail(uintptr_t fp) {
    bool any = false;
    walk_frame_pointers(fp, stack_lo, stack_hi, [&](uintptr_t ret, uintptr_t caller_fp) {
      any = true;
      return add(ret, caller_fp);
    });
    if (any) out->flags |= format::kStackFramePointer;
  }
};

// Interpreted frames need their frame pointers, which unw_backtrace does not give: when
// a frame's return address is in the interpreter, the frame-pointer chain from here is
// matched, in order, against the unwound return addresses, and each match gives the
// frame pointer of its frame. Frames built without frame pointers are absent from the
// chain (or end it, when they used the register): their interpreted callers keep no
// Method*, and the walk never reads outside the stack. Returns false, with `fps`
// untouched, when no frame is in the interpreter.
bool frame_pointers_of(void* const* frames, int n, const FrameSink& sink, uintptr_t stack_lo, uintptr_t* fps) {
  if (!sink.interpreting) return false;
  bool interpreted = false;
  for (int i = 0; i < n && !interpreted; ++i) {
    interpreted = sink.interpreter.method_slot(reinterpret_cast<uintptr_t>(frames[i])) != 0;
  }
  if (!interpreted) return false;
  for (int i = 0; i < n; ++i) fps[i] = 0;
  int next = 0;
  walk_frame_pointers(stack_lo, stack_lo, sink.stack_hi, [&](uintptr_t ret, uintptr_t caller_fp) {
    for (int k = next; k < n; ++k) {
      if (reinterpret_cast<uintptr_t>(frames[k]) == ret) {
        fps[k] = caller_fp;
        next = k + 1;
        return next < n;
      }
    }
    return false;  // not a return address of this stack: the chain went astray
  });
  return true;
}

enum class RuleWalk { kDone, kLearn, kLibunwind };

// _dl_find_object (glibc 2.35) answers without a lock. Looked up rather than linked,
// which would keep the shim out of older glibcs (prepare_stack_capture). There, not
// dladdr, which takes the loader's lock: a thread inside dlopen holds it while the
// library's constructors run, and one that forks there waits in the fork handler for
// this thread to leave the unwind gate. dl_iterate_phdr takes only the lock of the
// list of objects, which dlopen holds only while it adds to it.
using FindObject = int (*)(void*, dl_find_object*);
std::atomic<FindObject> g_find_object{nullptr};

bool in_loaded_object(uintptr_t pc) {
  if (FindObject find = g_find_object.load(std::memory_order_relaxed)) {
    dl_find_object found;
    return find(reinterpret_cast<void*>(pc), &found) == 0;
  }
  uintptr_t lo, hi;
  return code_range_of(reinterpret_cast<const void*>(pc), &lo, &hi);
}

uintptr_t stack_word(uintptr_t a) { return *reinterpret_cast<const uintptr_t*>(a); }

// Where unwinding found the end of the stack, rbp may lead off the thread's stack to
// another that goes on: a goroutine's, when the allocation came from C code called
// through cgo (frame_pointer_walker.h). At the real end of a thread's stack rbp is 0
// (_start and clone clear it, as the ABI asks), or on that stack.
void other_stack_tail(FrameSink& sink, uintptr_t bp) {
  if (!sink.own_stack || bp == 0 || (bp >= sink.stack_lo && bp < sink.stack_hi)) return;
  bool any = false;
  walk_frame_pointers_elsewhere(bp, readable, in_loaded_object, [&](uintptr_t ret, uintptr_t caller_fp) {
    any = true;
    return sink.add(ret, caller_fp);
  });
  if (any) sink.out->flags |= format::kStackFramePointer;
}

// The walk by learned frame rules (frame_rules.h), from the frame whose return address
// is `pc`, stack pointer `sp` and rbp `bp`. Stops at the outermost frame, a full stack,
// or JIT code (which the frame-pointer walk continues); a return address without a
// confirmed rule asks for a learning walk, one whose rule libunwind alone can follow (or
// one that does not fit the stack: a stale rule, an unaligned or outside `sp`) for
// libunwind.
// Every word read is inside [sp, hi), where sp is 8-aligned, starts above the capturing
// frame and grows with each step: a frame-pointer frame's bp is checked to lie in
// [sp, hi - 16], a stack-pointer frame's CFA to be at most hi, and its rules put the
// return address and rbp slot at or above sp (FrameRules::learn).
RuleWalk walk_rules_from(FrameSink& sink, uintptr_t pc, uintptr_t sp, uintptr_t bp) {
  const FrameRules& rules = frame_rules();
  const uintptr_t hi = sink.stack_hi;
  if ((sp & 7) != 0 || sp < sink.stack_lo || sp > hi) return RuleWalk::kLibunwind;
  for (;;) {
    if (pc < 4096) return RuleWalk::kLibunwind;
    if (!sink.add(pc, bp)) return RuleWalk::kDone;
    FrameRule rule = rules.find(pc);
    uintptr_t cfa, caller_bp;
    if (rule.kind == FrameRule::kFramePointer) {
      if ((bp & 7) != 0 || bp < sp || bp > hi - 16) return RuleWalk::kLibunwind;
      cfa = bp + 16;
      caller_bp = stack_word(bp);
    } else if (rule.kind == FrameRule::kStackPointer) {
      cfa = sp + rule.cfa_offset;
      if (cfa > hi) return RuleWalk::kLibunwind;
      caller_bp = rule.rbp_slot ? stack_word(cfa - 8 * rule.rbp_slot) : bp;
    } else if (rule.kind == FrameRule::kOutermost) {
      other_stack_tail(sink, bp);
      return RuleWalk::kDone;
    } else if (rule.kind == FrameRule::kLibunwindOnly) {
      return RuleWalk::kLibunwind;
    } else if (in_loaded_object(pc)) {
      return rules.full() ? RuleWalk::kLibunwind : RuleWalk::kLearn;
    } else {
      sink.frame_pointer_tail(bp);  // JIT code: only frame pointers go on from here
      return RuleWalk::kDone;
    }
    pc = stack_word(cfa - 8);
    sp = cfa;
    bp = caller_bp;
  }
}

// The same from capture_stack's own frame, whose frame pointer is `fp`.
RuleWalk walk_by_rules(FrameSink& sink, uintptr_t fp) {
  if ((fp & 7) != 0 || fp < sink.stack_lo || sink.stack_hi < 16 || fp > sink.stack_hi - 16) {
    return RuleWalk::kLibunwind;
  }
  return walk_rules_from(sink, stack_word(fp + 8), fp + 16, stack_word(fp));
}

// libunwind sets itself up on its first use (its tables, its address test), which
// costs ~0.3 ms of page faults: not at start, where every process of a shell script
// would pay it, most of them never sampling, but at the first capture that needs it,
// which is inside the UnwindGate like any other call into libunwind.
void set_up_libunwind() {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, [] {
    SignalsBlocked blocked;  // for its locks, as in a learning walk
    const Libunwind* uw = libunwind();
    uw->set_caching_policy(*uw->local_addr_space, UNW_CACHE_PER_THREAD);
  });
}

// libunwind's unw_backtrace (a per-thread cache of frame layouts, no lock once warm),
// for stacks through frames that the rules cannot follow (signal frames, mostly). It
// stops at code without unwind info that it cannot cross: when its last frame is
// outside every loaded object (JIT code), this returns false, having added nothing,
// and the walk must be redone step by step, which leaves the registers at that frame
// for the frame-pointer walk beyond it.
bool capture_with_libunwind(const Libunwind& uw, FrameSink& sink, uint32_t max_depth, uintptr_t stack_lo,
                            uintptr_t return_address) {
  constexpr int kShimFrames = 8;  // room for the shim's own frames, cut by the sink
  void* fast[kMaxMaxDepth + kShimFrames];
  int capacity = int(max_depth) + kShimFrames;
  int n = uw.backtrace(fast, capacity);
  if (n <= 0 || (n < capacity && !in_loaded_object(reinterpret_cast<uintptr_t>(fast[n - 1])))) return false;
  uintptr_t fps[kMaxMaxDepth + kShimFrames];
  bool with_fps = frame_pointers_of(fast, n, sink, stack_lo, fps);
  // The other walks start at capture_stack's caller; so does this one.
  int first = 0;
  while (first < n && reinterpret_cast<uintptr_t>(fast[first]) != return_address) ++first;
  if (first == n) first = 0;
  for (int i = first; i < n && sink.add(reinterpret_cast<uintptr_t>(fast[i]), with_fps ? fps[i] : 0); ++i) {
  }
  if (n == capacity) sink.out->flags |= format::kStackTruncated;
  return true;
}

// The step-by-step walk, which learns the rule of each return address it steps from.
// always_inline: its frame 0 must be capture_stack itself, whose caller is where
// walk_by_rules starts.
__attribute__((always_inline)) inline void walk_and_learn(const Libunwind& uw, FrameSink& sink) {
  SignalsBlocked blocked;  // once, rather than by libunwind around each look-up
  unw_context_t context;
  unw_cursor_t cursor;
  if (uw.getcontext(&context) != 0 || uw.init_local(&cursor, &context) != 0) return;
  FrameRules& rules = frame_rules();
  auto regs = [&uw, &cursor](unw_word_t* ip, unw_word_t* sp, unw_word_t* bp) {
    uw.get_reg(&cursor, UNW_REG_IP, ip);
    uw.get_reg(&cursor, UNW_REG_SP, sp);
    uw.get_reg(&cursor, UNW_X86_64_RBP, bp);
  };
  // Frame 0 is this function; the shim's frames after it are skipped by range.
  int step = uw.step(&cursor);
  unw_word_t ip = 0, sp = 0, bp = 0;
  if (step > 0) regs(&ip, &sp, &bp);
  bool exact_pc = false;  // ip interrupted by a signal: not a return address
  uint32_t retry_at = 0;  // sink.seen from which the rules may take over
  while (step > 0) {
    // The cursor's RBP is this frame's: restored from its callee's save by the unwind
    // info, or (where libunwind followed frame pointers) the saved fp next to ip.
    if (ip == 0 || !sink.add(ip, bp)) return;
    bool signal = uw.is_signal_frame(&cursor) > 0;
    bool learn = !exact_pc && in_loaded_object(ip);
    step = uw.step(&cursor);
    if (step > 0) {
      unw_word_t caller_ip, cfa, caller_bp;
      regs(&caller_ip, &cfa, &caller_bp);
      if (learn) {
        unw_save_loc_t saved{};
        uw.get_save_loc(&cursor, UNW_X86_64_RBP, &saved);
        uintptr_t saved_at = saved.type == UNW_SLT_MEMORY ? saved.u.addr : 0;
        bool slot_in_stack = cfa >= 8 && cfa - 8 >= sink.stack_lo && cfa <= sink.stack_hi;
        uintptr_t ret_slot = slot_in_stack ? *reinterpret_cast<const uintptr_t*>(cfa - 8) : 0;
        rules.learn(ip, signal ? FrameRule{FrameRule::kLibunwindOnly}
                               : rule_of_step(sp, bp, cfa, caller_bp, saved_at, ret_slot, caller_ip));
      }
      ip = caller_ip, sp = cfa, bp = caller_bp;
      exact_pc = signal;
      // From a frame whose rule is known, the rules walk on without libunwind (its steps
      // cost ~1 us each here, a rule's a few ns): a new call site's stack is mostly frames
      // already learned. Should the rules meet an unknown frame further down, the walk
      // goes back to here, and libunwind steps on to past that frame before they try again.
      if (!signal && sink.seen >= retry_at) {
        FrameSink::Mark here = sink.mark();
        if (walk_rules_from(sink, ip, sp, bp) == RuleWalk::kDone) return;
        retry_at = sink.seen;
        sink.back_to(here);
      }
    } else if (learn) {
      // The end of the stack; or code without unwind info that libunwind could not
      // step out of, whose stacks unw_backtrace ends there as cheaply.
      rules.learn(ip, {step == 0 ? FrameRule::kOutermost : FrameRule::kLibunwindOnly});
    }
  }
  if (step < 0) {
    // No unwind info here (JIT code, usually): go on through frame pointers, from the
    // frame pointer of the last frame added.
    sink.frame_pointer_tail(bp);
  } else if (step == 0) {
    other_stack_tail(sink, bp);
  }
}

}  // namespace

void prepare_stack_capture() {
  g_find_object.store(reinterpret_cast<FindObject>(dlsym(RTLD_DEFAULT, "_dl_find_object")), std::memory_order_relaxed);
}

__attribute__((noinline)) void capture_stack(UnwindMode mode, uint32_t max_depth, uintptr_t skip_lo,
                                             uintptr_t skip_hi, uintptr_t stack_hi, bool own_stack,
                                             CapturedStack* out) {
  out->depth = 0;
  out->flags = 0;
  if (max_depth > kMaxMaxDepth) max_depth = kMaxMaxDepth;
  uintptr_t stack_lo = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (stack_hi <= stack_lo) return;
  FrameSink sink{out, max_depth, skip_lo, skip_hi, interpreter_frames(), stack_lo, stack_hi, own_stack};

  const Libunwind* uw = mode == UnwindMode::kLibunwind ? libunwind() : nullptr;
  if (uw == nullptr) {
    sink.frame_pointer_tail(stack_lo);
    return;
  }
  RuleWalk walk = walk_by_rules(sink, stack_lo);
  if (walk == RuleWalk::kDone) return;
  sink.restart();
  ErrnoKept kept;  // libunwind's address tests set errno (libunwind_pipe.h)
  set_up_libunwind();
  if (walk == RuleWalk::kLibunwind &&
      capture_with_libunwind(*uw, sink, max_depth, stack_lo,
                             reinterpret_cast<uintptr_t>(__builtin_return_address(0)))) {
    return;
  }
  walk_and_learn(*uw, sink);
}

void capture_frame_pointer_chain(uintptr_t fp, uintptr_t stack_lo, uintptr_t stack_hi,
                                 const InterpreterFrames& interpreter, uint32_t max_depth,
                                 CapturedStack* out) {
  if (max_depth > kMaxMaxDepth) max_depth = kMaxMaxDepth;
  FrameSink sink{out, max_depth, 0, 0, interpreter, stack_lo, stack_hi, false};
  sink.skipping = false;
  sink.frame_pointer_tail(fp);
}

}  // namespace heapdrift
