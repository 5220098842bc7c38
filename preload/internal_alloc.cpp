#include "internal_alloc.h"

#include <atomic>
#include <sys/mman.h>
#include <unistd.h>

#include "errno_kept.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older headers lack it
#endif

namespace heapdrift {
namespace {

std::atomic<uint64_t> g_mapped{0};

size_t round_to_pages(size_t size) { return (size + kPageBytes - 1) & ~(kPageBytes - 1); }

}  // namespace

void* internal_map(size_t size) {
  size = round_to_pages(size);
  ErrnoKept kept;  // a failure is the shim's, not the program's
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  g_mapped.fetch_add(size, std::memory_order_relaxed);
  return p;
}

void internal_unmap(void* p, size_t size) {
  if (!p) return;
  size = round_to_pages(size);
  ErrnoKept kept;
  munmap(p, size);
  g_mapped.fetch_sub(size, std::memory_order_relaxed);
}

void internal_populate(void* p, size_t size) {
  if (!p || !size) return;
  uintptr_t lo = reinterpret_cast<uintptr_t>(p) & ~(kPageBytes - 1);
  uintptr_t hi = round_to_pages(reinterpret_cast<uintptr_t>(p) + size);
  ErrnoKept kept;
  madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_POPULATE_WRITE);
}

uint64_t internal_mapped_bytes() { return g_mapped.load(std::memory_order_relaxed); }

}  // namespace heapdrift
