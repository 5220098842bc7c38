// The allocator behind the shim: glibc, or whatever comes after libheapdrift.so in
// the search order (a preloaded jemalloc or tcmalloc). Found with dlsym(RTLD_NEXT).
//
// The C++ operators come from the program's C++ runtime. The shim links none (a C
// program should not load libstdc++ for it, and a program that bundles a newer one must
// get its own), so a runtime may arrive after start-up: the java launcher (C) dlopens
// libjvm, Python its C++ extension modules, RTLD_LOCAL, where RTLD_NEXT cannot see
// them. find_cxx_runtime looks for it among the loaded objects.
//
// dlsym itself may call calloc/malloc before those are known; such calls are served
// from a small static bootstrap arena, whose blocks are never passed to the real free.
#ifndef HEAPDRIFT_PRELOAD_REAL_ALLOC_H
#define HEAPDRIFT_PRELOAD_REAL_ALLOC_H

#include <atomic>
#include <cstddef>
#include <new>

namespace heapdrift {

struct RealAllocator {
  void* (*malloc)(size_t);
  void (*free)(void*);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*reallocarray)(void*, size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*memalign)(size_t, size_t);
  void* (*valloc)(size_t);
  void* (*pvalloc)(size_t);
  size_t (*malloc_usable_size)(void*);

  // C++: a preloaded jemalloc or tcmalloc has its own, which do not go through malloc.
  // Null until a C++ runtime is found.
  void* (*op_new)(size_t);
  void* (*op_new_array)(size_t);
  void* (*op_new_nothrow)(size_t, const std::nothrow_t&);
  void* (*op_new_array_nothrow)(size_t, const std::nothrow_t&);
  void* (*op_new_aligned)(size_t, std::align_val_t);
  void* (*op_new_array_aligned)(size_t, std::align_val_t);
  void* (*op_new_aligned_nothrow)(size_t, std::align_val_t, const std::nothrow_t&);
  void* (*op_new_array_aligned_nothrow)(size_t, std::align_val_t, const std::nothrow_t&);
  void (*op_delete)(void*);
  void (*op_delete_array)(void*);
  void (*op_delete_sized)(void*, size_t);
  void (*op_delete_array_sized)(void*, size_t);
  void (*op_delete_nothrow)(void*, const std::nothrow_t&);
  void (*op_delete_array_nothrow)(void*, const std::nothrow_t&);
  void (*op_delete_aligned)(void*, std::align_val_t);
  void (*op_delete_array_aligned)(void*, std::align_val_t);
  void (*op_delete_sized_aligned)(void*, size_t, std::align_val_t);
  void (*op_delete_array_sized_aligned)(void*, size_t, std::align_val_t);
  void (*op_delete_aligned_nothrow)(void*, std::align_val_t, const std::nothrow_t&);
  void (*op_delete_array_aligned_nothrow)(void*, std::align_val_t, const std::nothrow_t&);
  void (*throw_bad_alloc)();  // the runtime's std::__throw_bad_alloc

  // jemalloc's non-standard API, when jemalloc is behind the shim.
  void* (*mallocx)(size_t, int);
  void* (*rallocx)(void*, size_t, int);
  void (*sdallocx)(void*, size_t, int);
  void (*dallocx)(void*, int);
  size_t (*xallocx)(void*, size_t, size_t, int);

  std::atomic<bool> ready;
};

extern RealAllocator g_real __attribute__((visibility("hidden")));  // see lifecycle.h

// Resolves every function once. While the calling thread is inside dlsym, returns with
// the table incomplete: the caller falls back to the bootstrap arena.
void resolve_real_allocator();

// Called when a C++ operator is needed and none is known: once something was loaded
// since the last look, looks through the loaded objects for one that defines them, and
// takes all of them from it. Its dlopen, dlsym and dlclose reset the calling thread's
// dlerror() state: a message pending from the program's own failed dlopen is lost (the
// loader itself never calls operator new, so no dlerror() is under way; malloc makes no
// dl call: stack_capture.h). Not while the calling thread is inside the shim, nor
// before resolve_real_allocator.
void find_cxx_runtime();

inline RealAllocator& real() {
  if (!g_real.ready.load(std::memory_order_acquire)) [[unlikely]] resolve_real_allocator();
  return g_real;
}

// The bootstrap arena: zeroed memory, 16-byte aligned, never freed. Every free asks
// is_bootstrap, so it is inline.
inline constexpr size_t kBootstrapSize = 256 * 1024;
extern unsigned char g_bootstrap[kBootstrapSize] __attribute__((visibility("hidden")));
void* bootstrap_alloc(size_t size);
inline bool is_bootstrap(const void* p) {
  auto* b = static_cast<const unsigned char*>(p);
  return b >= g_bootstrap && b < g_bootstrap + kBootstrapSize;
}
size_t bootstrap_size(const void* p);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_REAL_ALLOC_H
