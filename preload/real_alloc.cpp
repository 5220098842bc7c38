#include "real_alloc.h"

#include <cstdint>
#include <dlfcn.h>

namespace heapdrift {

RealAllocator g_real{};
alignas(16) unsigned char g_bootstrap[kBootstrapSize];

namespace {

__thread bool t_resolving __attribute__((tls_model("initial-exec")));

std::atomic<size_t> g_bootstrap_used{0};

template <class Fn>
void resolve(Fn& fn, const char* name) {
  fn = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

void resolve_real_allocator() {
  if (t_resolving) return;  // re-entered from dlsym: the caller uses the bootstrap arena
  t_resolving = true;
  RealAllocator& r = g_real;
  resolve(r.malloc, "malloc");
  resolve(r.free, "free");
  resolve(r.calloc, "calloc");
  resolve(r.realloc, "realloc");
  resolve(r.reallocarray, "reallocarray");
  resolve(r.posix_memalign, "posix_memalign");
  resolve(r.aligned_alloc, "aligned_alloc");
  resolve(r.memalign, "memalign");
  resolve(r.valloc, "valloc");
  resolve(r.pvalloc, "pvalloc");
  resolve(r.malloc_usable_size, "malloc_usable_size");
  resolve(r.op_new, "_Znwm");
  resolve(r.op_new_array, "_Znam");
  resolve(r.op_new_nothrow, "_ZnwmRKSt9nothrow_t");
  resolve(r.op_new_array_nothrow, "_ZnamRKSt9nothrow_t");
  resolve(r.op_new_aligned, "_ZnwmSt11align_val_t");
  resolve(r.op_new_array_aligned, "_ZnamSt11align_val_t");
  resolve(r.op_new_aligned_nothrow, "_ZnwmSt11align_val_tRKSt9nothrow_t");
  resolve(r.op_new_array_aligned_nothrow, "_ZnamSt11align_val_tRKSt9nothrow_t");
  resolve(r.op_delete, "_ZdlPv");
  resolve(r.op_delete_array, "_ZdaPv");
  resolve(r.op_delete_sized, "_ZdlPvm");
  resolve(r.op_delete_array_sized, "_ZdaPvm");
  resolve(r.op_delete_nothrow, "_ZdlPvRKSt9nothrow_t");
  resolve(r.op_delete_array_nothrow, "_ZdaPvRKSt9nothrow_t");
  resolve(r.op_delete_aligned, "_ZdlPvSt11align_val_t");
  resolve(r.op_delete_array_aligned, "_ZdaPvSt11align_val_t");
  resolve(r.op_delete_sized_aligned, "_ZdlPvmSt11align_val_t");
  resolve(r.op_delete_array_sized_aligned, "_ZdaPvmSt11align_val_t");
  resolve(r.op_delete_aligned_nothrow, "_ZdlPvSt11align_val_tRKSt9nothrow_t");
  resolve(r.op_delete_array_aligned_nothrow, "_ZdaPvSt11align_val_tRKSt9nothrow_t");
  resolve(r.mallocx, "mallocx");
  resolve(r.rallocx, "rallocx");
  resolve(r.sdallocx, "sdallocx");
  resolve(r.dallocx, "dallocx");
  t_resolving = false;
  if (r.malloc && r.free) r.ready.store(true, std::memory_order_release);
}

// Each block has a 16-byte header holding its size, for realloc of a bootstrap block.
void* bootstrap_alloc(size_t size) {
  size_t need = (size + 16 + 15) & ~size_t{15};
  size_t at = g_bootstrap_used.fetch_add(need, std::memory_order_relaxed);
  if (at + need > sizeof(g_bootstrap)) return nullptr;
  *reinterpret_cast<size_t*>(g_bootstrap + at) = size;
  return g_bootstrap + at + 16;
}

size_t bootstrap_size(const void* p) {
  return *reinterpret_cast<const size_t*>(static_cast<const unsigned char*>(p) - 16);
}

}  // namespace heapdrift
