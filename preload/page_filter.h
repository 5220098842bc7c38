// The counting filter every free() asks first: "may this block be a sample?". One
// byte per 4 KiB page of address space (modulo its size), incremented when a sample
// on that page enters the live table and decremented when it leaves. A zero byte
// proves the block is not a sample; a non-zero one (a sample on the same page, or
// another page folded onto the same byte) sends the free to the live table's lock.
//
// Per page and unhashed, so that the frees of a program's working set touch few of
// its cache lines (hashed per block, all 256 KiB were in use and each free missed the
// L2 cache); the price is that the other blocks of a page holding a sample take the
// locked look-up, about 1 % of frees at the default rate.
//
// A byte that reaches 255 sticks there, never decremented, which stays correct. The
// shim pins a few addresses that way (free(NULL), its bootstrap arena), so that its
// free() needs no test of its own for them before the filter's.
//
// The shim's filter is a zero-initialised global, so that free() reaches it with one
// load; tests make their own.
#ifndef HEAPDRIFT_PRELOAD_PAGE_FILTER_H
#define HEAPDRIFT_PRELOAD_PAGE_FILTER_H

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace heapdrift {

class PageFilter {
 public:
  static constexpr unsigned kBits = 18;  // 256 KiB of counters: 1 GiB of pages before folding
  static constexpr size_t kBytes = size_t{1} << kBits;

  constexpr PageFilter() = default;
  PageFilter(const PageFilter&) = delete;
  PageFilter& operator=(const PageFilter&) = delete;

  bool may_hold(uintptr_t address) const { return counts_[index(address)].load(std::memory_order_relaxed) != 0; }

  void add(uintptr_t address) {
    std::atomic<uint8_t>& c = counts_[index(address)];
    uint8_t v = c.load(std::memory_order_relaxed);
    while (v != 255 && !c.compare_exchange_weak(v, v + 1, std::memory_order_relaxed)) {
    }
  }
  void remove(uintptr_t address) {
    std::atomic<uint8_t>& c = counts_[index(address)];
    uint8_t v = c.load(std::memory_order_relaxed);
    while (v != 255 && v != 0 && !c.compare_exchange_weak(v, v - 1, std::memory_order_relaxed)) {
    }
  }
  // Every address of [lo, hi) answers "maybe" from now on.
  void pin(uintptr_t lo, uintptr_t hi) {
    for (uintptr_t a = lo & ~uintptr_t{4095}; a < hi; a += 4096) {
      counts_[index(a)].store(255, std::memory_order_relaxed);
    }
  }

 private:
  static size_t index(uintptr_t address) {
    // Pages of one 1 GiB region map to consecutive bytes; regions are told apart by
    // the higher bits folded in.
    return ((address >> 12) ^ (address >> 30)) & (kBytes - 1);
  }

  std::atomic<uint8_t> counts_[kBytes] = {};
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_PAGE_FILTER_H
