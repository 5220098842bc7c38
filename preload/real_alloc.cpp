#include "real_alloc.h"

#include <cstdint>
#include <dlfcn.h>
#include <link.h>
#include <string>
#include <vector>

#include "dynamic_symbols.h"
#include "errno_kept.h"
#include "thread_state.h"

namespace heapdrift {

RealAllocator g_real{};
alignas(16) unsigned char g_bootstrap[kBootstrapSize];

namespace {

__thread bool t_resolving __attribute__((tls_model("initial-exec")));

// Every C++ runtime defines it; an object that does is taken as the runtime.
constexpr const char* kCxxMarker = "_ZnwmRKSt9nothrow_t";

std::atomic<size_t> g_bootstrap_used{0};

template <class Fn>
void resolve(void* handle, Fn& fn, const char* name) {
  // Relaxed atomic stores: find_cxx_runtime may fill the C++ entries while other
  // threads read them (they read null, or the same value from every thread that looks).
  __atomic_store_n(&fn, reinterpret_cast<Fn>(dlsym(handle, name)), __ATOMIC_RELAXED);
}

// The C++ runtime's operators (and the function that throws its std::bad_alloc), all
// from one place: RTLD_NEXT, or the handle of the object that defines them.
void resolve_cxx(void* handle) {
  RealAllocator& r = g_real;
  resolve(handle, r.op_new, "_Znwm");
  resolve(handle, r.op_new_array, "_Znam");
  resolve(handle, r.op_new_nothrow, kCxxMarker);
  resolve(handle, r.op_new_array_nothrow, "_ZnamRKSt9nothrow_t");
  resolve(handle, r.op_new_aligned, "_ZnwmSt11align_val_t");
  resolve(handle, r.op_new_array_aligned, "_ZnamSt11align_val_t");
  resolve(handle, r.op_new_aligned_nothrow, "_ZnwmSt11align_val_tRKSt9nothrow_t");
  resolve(handle, r.op_new_array_aligned_nothrow, "_ZnamSt11align_val_tRKSt9nothrow_t");
  resolve(handle, r.op_delete, "_ZdlPv");
  resolve(handle, r.op_delete_array, "_ZdaPv");
  resolve(handle, r.op_delete_sized, "_ZdlPvm");
  resolve(handle, r.op_delete_array_sized, "_ZdaPvm");
  resolve(handle, r.op_delete_nothrow, "_ZdlPvRKSt9nothrow_t");
  resolve(handle, r.op_delete_array_nothrow, "_ZdaPvRKSt9nothrow_t");
  resolve(handle, r.op_delete_aligned, "_ZdlPvSt11align_val_t");
  resolve(handle, r.op_delete_array_aligned, "_ZdaPvSt11align_val_t");
  resolve(handle, r.op_delete_sized_aligned, "_ZdlPvmSt11align_val_t");
  resolve(handle, r.op_delete_array_sized_aligned, "_ZdaPvmSt11align_val_t");
  resolve(handle, r.op_delete_aligned_nothrow, "_ZdlPvSt11align_val_tRKSt9nothrow_t");
  resolve(handle, r.op_delete_array_aligned_nothrow, "_ZdaPvSt11align_val_tRKSt9nothrow_t");
  resolve(handle, r.throw_bad_alloc, "_ZSt17__throw_bad_allocv");
}

// dlpi_adds (the loader's count of objects ever loaded) when find_cxx_runtime last
// looked and found nothing: it looks again only once something new was loaded.
std::atomic<unsigned long long> g_cxx_looked_at{0};

struct LoadedObjects {
  std::vector<std::string> names;
  unsigned long long adds = 0;
};

int read_adds(dl_phdr_info* info, size_t, void* adds) {
  *static_cast<unsigned long long*>(adds) = info->dlpi_adds;
  return 1;  // the same for every object: one is enough
}

int collect_object(dl_phdr_info* info, size_t, void* data) {
  auto* objects = static_cast<LoadedObjects*>(data);
  objects->adds = info->dlpi_adds;
  // Unnamed: the executable (whose own operators come before the shim's and so are
  // never ours to forward to) and the vDSO. Those whose symbol table rules the runtime
  // out, most of a process's, are not asked through the loader.
  if (info->dlpi_name && info->dlpi_name[0] && may_define(*info, kCxxMarker) == Defines::kMaybe) {
    objects->names.emplace_back(info->dlpi_name);
  }
  return 0;
}

}  // namespace

void resolve_real_allocator() {
  if (t_resolving) return;  // re-entered from dlsym: the caller uses the bootstrap arena
  t_resolving = true;
  RealAllocator& r = g_real;
  resolve(RTLD_NEXT, r.malloc, "malloc");
  resolve(RTLD_NEXT, r.free, "free");
  resolve(RTLD_NEXT, r.calloc, "calloc");
  resolve(RTLD_NEXT, r.realloc, "realloc");
  resolve(RTLD_NEXT, r.reallocarray, "reallocarray");
  resolve(RTLD_NEXT, r.posix_memalign, "posix_memalign");
  resolve(RTLD_NEXT, r.aligned_alloc, "aligned_alloc");
  resolve(RTLD_NEXT, r.memalign, "memalign");
  resolve(RTLD_NEXT, r.valloc, "valloc");
  resolve(RTLD_NEXT, r.pvalloc, "pvalloc");
  resolve(RTLD_NEXT, r.malloc_usable_size, "malloc_usable_size");
  resolve(RTLD_NEXT, r.mallocx, "mallocx");
  resolve(RTLD_NEXT, r.rallocx, "rallocx");
  resolve(RTLD_NEXT, r.sdallocx, "sdallocx");
  resolve(RTLD_NEXT, r.dallocx, "dallocx");
  resolve(RTLD_NEXT, r.xallocx, "xallocx");
  resolve_cxx(RTLD_NEXT);  // a C++ program's runtime, or a preloaded allocator's operators
  t_resolving = false;
  if (r.malloc && r.free) r.ready.store(true, std::memory_order_release);
}

void find_cxx_runtime() {
  ThreadState& t = t_state;
  if (t.in_shim() || !g_real.ready.load(std::memory_order_acquire)) return;
  ReentrancyGuard guard(t);  // the loader's own allocations are not the program's
  ErrnoKept kept;
  unsigned long long adds = 0;
  dl_iterate_phdr(read_adds, &adds);
  if (adds == g_cxx_looked_at.load(std::memory_order_relaxed)) return;
  LoadedObjects objects;
  dl_iterate_phdr(collect_object, &objects);
  Dl_info self;
  if (!dladdr(reinterpret_cast<void*>(&find_cxx_runtime), &self)) return;
  for (const std::string& name : objects.names) {
    if (name == self.dli_fname) continue;  // the shim's own operators
    void* handle = dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) continue;
    // dlsym searches the object's dependencies too: take the object that defines the
    // operators itself, so that all of them come from one runtime.
    void* marker = dlsym(handle, kCxxMarker);
    Dl_info where;
    if (marker && dladdr(marker, &where) && name == where.dli_fname) {
      dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);  // never unloaded under us
      resolve_cxx(handle);
      dlclose(handle);
      return;
    }
    dlclose(handle);
  }
  g_cxx_looked_at.store(objects.adds, std::memory_order_relaxed);
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
