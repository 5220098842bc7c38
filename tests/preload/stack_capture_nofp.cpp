// Compiled with -fomit-frame-pointer (tests/preload/CMakeLists.txt): frames laid out by
// the stack pointer, with rbp pushed and used for data, as in most of a distribution's
// libraries. The stack-capture tests walk through these frames.
#include <cstdint>

extern "C" __attribute__((noinline)) uint64_t nofp_chain(int depth, uint64_t seed, void (*leaf)(void*),
                                                         void* arg) {
  if (depth == 0) {
    leaf(arg);
    return seed;
  }
  // Seven values live across the call: every callee-saved register, rbp included, holds one.
  uint64_t a = seed * 3, b = seed ^ 5, c = seed + 7, d = seed * 11, e = seed ^ 13, f = seed + 17, g = seed * 19;
  asm volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g));
  uint64_t r = nofp_chain(depth - 1, seed + 1, leaf, arg);
  asm volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g));
  return r + a + b + c + d + e + f + g;
}

// Two frames no other walk goes through, for the stale-rule test: the return addresses
// in them are new to the rules.
extern "C" __attribute__((noinline)) uint64_t nofp_pair_inner(uint64_t seed, void (*leaf)(void*), void* arg) {
  uint64_t a = seed * 3, b = seed ^ 5;
  asm volatile("" : "+r"(a), "+r"(b));
  leaf(arg);
  asm volatile("" : "+r"(a), "+r"(b));
  return a + b;
}

extern "C" __attribute__((noinline)) uint64_t nofp_pair_outer(uint64_t seed, void (*leaf)(void*), void* arg) {
  uint64_t a = seed * 7, b = seed ^ 9;
  asm volatile("" : "+r"(a), "+r"(b));
  uint64_t r = nofp_pair_inner(seed + 1, leaf, arg);
  asm volatile("" : "+r"(a), "+r"(b));
  return r + a + b;
}
