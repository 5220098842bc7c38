// The counting filter every free() asks first: "may this block be a sample?". One
// byte per 4 KiB page of address space (modulo its size), counting the samples on that
// page in the live table. A zero byte proves the block is not a sample; for nearly
// every free that one load is the hooks' whole test (may_hold).
//
// Per page and unhashed, so that the frees of a program's working set touch few of
// its cache lines (hashed per block, all 256 KiB were in use and each free missed the
// L2 cache). The price is that the other blocks of a page holding a sample get a
// "maybe": about 1 % of frees at the default rate. So a byte that counts one sample
// also says where on the page it starts, to 512 bytes, and may_hold() rules out the
// blocks that start elsewhere, in the hook itself: of the frees on such a page only
// those of blocks starting near the sample take the slow path and its locked look-up.
//
// Layout of a byte: the count in the high 4 bits, sticky at 15 (never decremented,
// which stays correct); below it, for a count of 1, a flag and the sample's eighth of
// the page. When a count of 2 drops to 1 the remaining sample's place is unknown: the
// flag stays clear. The shim pins a few addresses at 15 (free(NULL), its bootstrap
// arena), so that its free() needs no test of its own for them.
//
// The shim's filter is a zero-initialised global, so that free() reaches it with one
// load; tests make their own.
#ifndef HEAPDRIFT_PRELOAD_PAGE_FILTER_H
#define HEAPDRIFT_PRELOAD_PAGE_FILTER_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "internal_alloc.h"

namespace heapdrift {

class PageFilter {
 public:
  static constexpr unsigned kBits = 18;  // 256 KiB of counters: 1 GiB of pages before folding
  static constexpr size_t kBytes = size_t{1} << kBits;

  constexpr PageFilter() = default;
  PageFilter(const PageFilter&) = delete;
  PageFilter& operator=(const PageFilter&) = delete;

  // The hooks' test: false proves `address` is not a sample. A page's byte rules out
  // every block when zero, and when it counts one sample, the blocks that start away
  // from it.
  bool may_hold(uintptr_t address) const {
    uint8_t v = counts_[index(address)].load(std::memory_order_relaxed);
    if (v == 0) [[likely]] return false;  // the hooks' fast path falls through here
    return !(v >> 4 == 1 && (v & kPlaced) && (v & 7) != eighth(address));
  }

  void add(uintptr_t address) {
    update(address, [address](uint8_t v) -> uint8_t {
      if (v == 0) return (1 << 4) | kPlaced | eighth(address);
      return v >> 4 == kSticky ? v : static_cast<uint8_t>(((v >> 4) + 1) << 4);
    });
  }
  void remove(uintptr_t address) {
    update(address, [](uint8_t v) -> uint8_t {
      unsigned n = v >> 4;
      return n == kSticky || n == 0 ? v : static_cast<uint8_t>((n - 1) << 4);
    });
  }
  void populate() { internal_populate(counts_, kBytes); }

  // Every address of [lo, hi) answers "maybe" from now on.
  void pin(uintptr_t lo, uintptr_t hi) {
    for (uintptr_t a = lo & ~uintptr_t{4095}; a < hi; a += 4096) {
      counts_[index(a)].store(kSticky << 4, std::memory_order_relaxed);
    }
  }

 private:
  static constexpr uint8_t kSticky = 15;
  static constexpr uint8_t kPlaced = 8;  // the low 3 bits are the one sample's eighth

  static uint8_t eighth(uintptr_t address) { return (address >> 9) & 7; }
  template <class Next>
  void update(uintptr_t address, Next next) {
    std::atomic<uint8_t>& c = counts_[index(address)];
    uint8_t v = c.load(std::memory_order_relaxed);
    while (!c.compare_exchange_weak(v, next(v), std::memory_order_relaxed)) {
    }
  }
  static size_t index(uintptr_t address) {
    // Pages of one 1 GiB region map to consecutive bytes, from an offset that is the
    // region's number times a Fibonacci constant (2^18 / golden ratio, odd), so that
    // neighbouring regions start far apart. glibc puts each thread's arena at the same
    // place of a 64 MiB-aligned heap, and the busy pages are the heaps' first: with the
    // region's number XORed in instead, two arenas a region apart folded their first
    // pages onto each other's bytes (in the JVM benchmark, 9 in 10 "maybe"s that the
    // table then ruled out).
    return ((address >> 12) + (address >> 30) * 0x278D5) & (kBytes - 1);
  }

  std::atomic<uint8_t> counts_[kBytes] = {};
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_PAGE_FILTER_H
