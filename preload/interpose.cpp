// The exported allocation functions: thin entry points over three
// templates (allocate, free, reallocate). Each forwards to the real allocator and
// tells the Recorder. Calls made while the thread is already inside the shim (the
// re-entrancy guard is set: libunwind, dlsym, the writer thread, or a real operator
// new calling malloc) are forwarded untouched.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>

#include "cxx_support.h"
#include "lifecycle.h"
#include "real_alloc.h"
#include "thread_state.h"

namespace heapdrift {
namespace {

// Usable sizes are asked for only when the recorder counts bytes (exact mode).
inline size_t usable_size(void* p) {
  return g_real.malloc_usable_size && g_recorder->counts_bytes() ? g_real.malloc_usable_size(p) : 0;
}

// The slow path of an allocation, with the guard set. kCounted: the fast path counted
// the call and its countdown ran out, so the block is a sample; otherwise the
// Recorder counts the call (attaching the thread on its first one) and samples.
template <bool kCounted, class Call>
__attribute__((noinline)) void* allocate_slow(ThreadState& t, size_t size, Call call) {
  ReentrancyGuard guard(t);
  void* p = call();
  if (!p || !g_live.load(std::memory_order_acquire)) [[unlikely]] return p;
  if constexpr (kCounted) g_recorder->sample(t, p, size);
  else g_recorder->on_alloc(t, p, size, usable_size(p));
  return p;
}

// Runs `call` with the guard set when the real function calls back into the hooks:
// libstdc++'s operator new calls malloc (and its nothrow form ::operator new), its
// operator delete calls free. The C functions of glibc and jemalloc never do.
template <bool kNests, class Call>
inline auto call_real(ThreadState& t, Call call) {
  if constexpr (kNests) {
    ReentrancyGuard guard(t);
    return call();
  } else {
    return call();
  }
}

// `call` runs the real allocator and returns the block (or nullptr). The fast path,
// for a thread on it: a thread-local count and countdown, then a tail call to the real
// function. The countdown runs before the call so that nothing is left to do after
// it: a failed call counts as a call and moves the countdown (docs/SAMPLING.md).
template <bool kNests = false, class Call>
inline void* allocate_fast(ThreadState& t, size_t size, Call call) {
  Recorder::count_alloc_fast(t);
  if (!Sampler::countdown(t.sampler, size)) [[likely]] return call_real<kNests>(t, call);
  return allocate_slow<true>(t, size, call);
}

template <bool kNests = false, class Call>
inline void* allocate(size_t size, Call call) {
  ThreadState& t = t_state;
  if (t.mode == kFastPath) [[likely]] return allocate_fast<kNests>(t, size, call);
  if (t.in_shim()) return call();
  return allocate_slow<false>(t, size, call);
}

template <class Call>
__attribute__((noinline)) void release_slow(ThreadState& t, void* p, Call call) {
  if (!p || is_bootstrap(p)) return;
  if (t.in_shim()) return call();
  ReentrancyGuard guard(t);
  if (g_live.load(std::memory_order_acquire)) [[likely]] {
    g_recorder->prefetch_free(p);
    g_recorder->on_free(t, p, usable_size(p));
  }
  call();
}

// `call` runs the real free. The fast path is a count and the filter's byte, then a
// tail call; a block the filter cannot rule out (a sample, a block of the bootstrap
// arena: PageFilter) takes the slow path, where it leaves the live table before the
// real free. free(NULL), whose byte is pinned, ends on the way there: it is 3 % of
// the frees in the JVM benchmark, which would otherwise all take the slow path's call
// for nothing.
template <bool kNests = false, class Call>
inline void release(void* p, Call call) {
  ThreadState& t = t_state;
  if (t.mode == kFastPath) [[likely]] {
    if (!g_page_filter.may_hold(reinterpret_cast<uintptr_t>(p))) [[likely]] {
      Recorder::count_free_fast(t);
      return call_real<kNests>(t, call);
    }
    if (!p) return;
  }
  release_slow(t, p, call);
}

// The real function `fn`, or null where there is none (or, during start-up, none
// known yet). On the fast path there is no need to ask: start-up resolved the
// allocator before any thread could take that path.
template <class Fn>
inline Fn real_fn(Fn RealAllocator::*fn) {
  return t_state.mode == kFastPath ? g_real.*fn : real().*fn;
}

// `call` runs the real realloc-like function on `old` (non-null). A failure leaves the
// old block live, so it is put back; realloc(p, 0) frees p and returns nullptr.
template <class Call>
inline void* reallocate(void* old, size_t size, bool zero_frees, Call call) {
  ThreadState& t = t_state;
  if (t.in_shim() || !g_live.load(std::memory_order_acquire)) [[unlikely]] return call();
  ReentrancyGuard guard(t);
  size_t old_usable = usable_size(old);
  LiveEntry entry;
  bool was_sampled = g_recorder->take(old, &entry);
  void* p = call();
  if (!p && !(zero_frees && size == 0)) {
    if (was_sampled) g_recorder->restore(entry);
    return p;
  }
  g_recorder->count_free(t, old_usable);
  if (p) g_recorder->on_alloc(t, p, size, usable_size(p));
  return p;
}

// `call` resizes `p` in place and returns its usable size after. A size that changed
// is recorded as a realloc that did not move: the block is freed and allocated again,
// so it may stop being a sample or become one.
template <class Call>
inline size_t resize_in_place(void* p, Call call) {
  ThreadState& t = t_state;
  auto usable = g_real.malloc_usable_size;
  if (!usable || t.in_shim() || !g_live.load(std::memory_order_acquire)) [[unlikely]] return call();
  ReentrancyGuard guard(t);
  const size_t before = usable(p);
  const size_t after = call();
  if (after == before) return after;
  LiveEntry entry;
  g_recorder->take(p, &entry);
  g_recorder->count_free(t, before);
  g_recorder->on_alloc(t, p, after, after);
  return after;
}

// realloc of a block from the bootstrap arena: move it to the real allocator.
void* leave_bootstrap(void* old, size_t size) {
  void* p = g_real.malloc ? allocate(size, [=] { return g_real.malloc(size); }) : bootstrap_alloc(size);
  if (p) memcpy(p, old, bootstrap_size(old) < size ? bootstrap_size(old) : size);
  return p;
}

bool mul_overflows(size_t a, size_t b, size_t* out) { return __builtin_mul_overflow(a, b, out); }

__attribute__((noinline)) void* malloc_slow(size_t size) {
  auto fn = real().malloc;
  if (!fn) [[unlikely]] return bootstrap_alloc(size);
  return allocate(size, [=] { return fn(size); });
}

__attribute__((noinline)) void* calloc_slow(size_t n, size_t size) {
  auto fn = real().calloc;
  size_t total = 0;
  bool overflow = mul_overflows(n, size, &total);
  if (!fn) [[unlikely]] return overflow ? nullptr : bootstrap_alloc(total);
  return allocate(total, [=] { return fn(n, size); });
}

// The C++ runtime's function `member`; when none is known, a runtime may have been
// loaded since start-up (real_alloc.h).
template <class Fn>
inline Fn cxx_fn(Fn RealAllocator::*member) {
  Fn fn = real_fn(member);
  if (!fn) [[unlikely]] {
    find_cxx_runtime();
    fn = g_real.*member;
  }
  return fn;
}

// operator new with no C++ runtime in the process: nobody but the shim can call it
// (whoever else calls operator new brought a runtime), so it serves the shim's own
// containers from the real allocator (or, inside dlsym at start-up, the bootstrap arena).
void* without_runtime(size_t size, size_t align) {
  RealAllocator& r = real();
  if (!r.malloc) [[unlikely]] return bootstrap_alloc(size);
  if (!align) return r.malloc(size);
  return r.memalign ? r.memalign(align, size) : nullptr;
}

// A throwing operator new inside the guard with no runtime known: the shim's own
// containers, which catch nothing; out of memory ends the process with a message, as
// an uncaught std::bad_alloc would.
void* shim_own_new(size_t size, size_t align) {
  void* p = without_runtime(size, align);
  if (!p) [[unlikely]] cxx_support_out_of_memory();
  return p;
}

// Has the program's runtime throw std::bad_alloc; the hook's frames have no cleanups
// left, so the exception passes through them (they have unwind tables).
[[noreturn]] __attribute__((noinline, cold)) void throw_bad_alloc() {
  if (auto fn = g_real.throw_bad_alloc) fn();
  cxx_support_out_of_memory();  // a runtime that defines operator new but cannot throw
}

constexpr std::nothrow_t kNothrow{};

}  // namespace
}  // namespace heapdrift

using namespace heapdrift;
using std::align_val_t;
using std::nothrow_t;

extern "C" {

// malloc and calloc keep everything but their fast path out of line, so that it needs
// no stack frame.
__attribute__((visibility("default"))) void* malloc(size_t size) {
  ThreadState& t = t_state;
  if (t.mode == kFastPath) [[likely]] return allocate_fast(t, size, [=] { return g_real.malloc(size); });
  return malloc_slow(size);
}

__attribute__((visibility("default"))) void* calloc(size_t n, size_t size) {
  ThreadState& t = t_state;
  size_t total = 0;
  if (t.mode == kFastPath && !mul_overflows(n, size, &total)) [[likely]] {
    return allocate_fast(t, total, [=] { return g_real.calloc(n, size); });
  }
  return calloc_slow(n, size);
}

__attribute__((visibility("default"))) void free(void* p) {
  release(p, [=] { g_real.free(p); });  // a block to free means the allocator is known
}

__attribute__((visibility("default"))) void* realloc(void* old, size_t size) {
  if (old && is_bootstrap(old)) [[unlikely]] return leave_bootstrap(old, size);
  auto fn = real_fn(&RealAllocator::realloc);
  if (!fn) [[unlikely]] return old ? nullptr : bootstrap_alloc(size);
  if (!old) return allocate(size, [=] { return fn(nullptr, size); });
  return reallocate(old, size, true, [=] { return fn(old, size); });
}

__attribute__((visibility("default"))) void* reallocarray(void* old, size_t n, size_t size) {
  size_t total;
  if (mul_overflows(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  if (old && is_bootstrap(old)) [[unlikely]] return leave_bootstrap(old, total);
  auto fn = real_fn(&RealAllocator::reallocarray);
  if (!fn) [[unlikely]] return realloc(old, total);
  // glibc's reallocarray calls realloc through its PLT, which reaches our realloc: the
  // guard keeps that nested call from counting (and sampling) the block a second time.
  if (!old) return allocate<true>(total, [=] { return fn(nullptr, n, size); });
  return reallocate(old, total, true, [=] { return fn(old, n, size); });
}

__attribute__((visibility("default"))) int posix_memalign(void** out, size_t align, size_t size) {
  auto fn = real_fn(&RealAllocator::posix_memalign);
  if (!fn) return ENOMEM;
  int rc = 0;
  void* p = allocate(size, [&]() -> void* {
    rc = fn(out, align, size);
    return rc == 0 ? *out : nullptr;
  });
  if (rc == 0) *out = p;
  return rc;
}

__attribute__((visibility("default"))) void* aligned_alloc(size_t align, size_t size) {
  auto fn = real_fn(&RealAllocator::aligned_alloc);
  return fn ? allocate(size, [=] { return fn(align, size); }) : nullptr;
}

__attribute__((visibility("default"))) void* memalign(size_t align, size_t size) {
  auto fn = real_fn(&RealAllocator::memalign);
  return fn ? allocate(size, [=] { return fn(align, size); }) : nullptr;
}

__attribute__((visibility("default"))) void* valloc(size_t size) {
  auto fn = real_fn(&RealAllocator::valloc);
  return fn ? allocate(size, [=] { return fn(size); }) : nullptr;
}

__attribute__((visibility("default"))) void* pvalloc(size_t size) {
  auto fn = real_fn(&RealAllocator::pvalloc);
  return fn ? allocate(size, [=] { return fn(size); }) : nullptr;
}

// jemalloc's API. Exported always (programs look jemalloc up by these names), and
// served by the functions of the same name behind the shim; without jemalloc there
// are none, and the calls get the closest standard equivalent.
__attribute__((visibility("default"))) void* mallocx(size_t size, int flags) {
  if (auto fn = real_fn(&RealAllocator::mallocx)) return allocate(size, [=] { return fn(size, flags); });
  size_t align = (flags & 0x3f) ? size_t{1} << (flags & 0x3f) : 16;
  void* p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
  if (p && (flags & 0x40)) memset(p, 0, size);
  return p;
}

__attribute__((visibility("default"))) void* rallocx(void* old, size_t size, int flags) {
  if (auto fn = real_fn(&RealAllocator::rallocx)) return reallocate(old, size, false, [=] { return fn(old, size, flags); });
  return realloc(old, size);
}

// Without jemalloc nothing grows in place: the block keeps its usable size.
__attribute__((visibility("default"))) size_t xallocx(void* p, size_t size, size_t extra, int flags) {
  if (is_bootstrap(p)) [[unlikely]] return bootstrap_size(p);
  if (auto fn = real_fn(&RealAllocator::xallocx)) return resize_in_place(p, [=] { return fn(p, size, extra, flags); });
  auto usable = real_fn(&RealAllocator::malloc_usable_size);
  return usable ? usable(p) : 0;
}

__attribute__((visibility("default"))) void sdallocx(void* p, size_t size, int flags) {
  if (auto fn = real_fn(&RealAllocator::sdallocx)) return release(p, [=] { fn(p, size, flags); });
  free(p);
}

__attribute__((visibility("default"))) void dallocx(void* p, int flags) {
  if (auto fn = real_fn(&RealAllocator::dallocx)) return release(p, [=] { fn(p, flags); });
  free(p);
}

}  // extern "C"

// C++ allocation functions. The throwing forms call the real nothrow form and have the
// runtime throw std::bad_alloc once the guard is released: an exception allocated
// inside the guard (by a real operator new that throws) would be freed outside it, and
// count as a free without its allocation. Nested calls (the real nothrow form calling
// ::operator new, as libstdc++'s does) forward to the real throwing form.
// One difference from the real thing: an exception other than std::bad_alloc thrown by
// a new_handler arrives as std::bad_alloc.
#define HD_NEW(function, signature, member, nothrow_member, size, align, ...)          \
  __attribute__((visibility("default"))) void* function signature {                   \
    if (t_state.in_shim()) {                                                           \
      auto fn = g_real.member;                                                         \
      return fn ? fn(__VA_ARGS__) : shim_own_new(size, align);                         \
    }                                                                                  \
    auto fn = cxx_fn(&RealAllocator::nothrow_member);                                  \
    void* p = allocate<true>(size, [&]() -> void* {                                    \
      return fn ? fn(__VA_ARGS__, kNothrow) : without_runtime(size, align);            \
    });                                                                                \
    if (!p) [[unlikely]] throw_bad_alloc();                                            \
    return p;                                                                          \
  }
#define HD_NEW_NOTHROW(function, signature, member, size, align, ...)                   \
  __attribute__((visibility("default"))) void* function signature noexcept {          \
    auto fn = cxx_fn(&RealAllocator::member);                                          \
    return allocate<true>(size, [&]() -> void* {                                       \
      return fn ? fn(__VA_ARGS__) : without_runtime(size, align);                      \
    });                                                                                \
  }
// Without a known runtime, a block from operator new came from malloc or memalign.
#define HD_DELETE(function, signature, member, ...)                                     \
  __attribute__((visibility("default"))) void function signature noexcept {            \
    release<true>(p, [&] { g_real.member ? g_real.member(__VA_ARGS__) : g_real.free(p); }); \
  }

HD_NEW(operator new, (size_t n), op_new, op_new_nothrow, n, 0, n)
HD_NEW(operator new[], (size_t n), op_new_array, op_new_array_nothrow, n, 0, n)
HD_NEW(operator new, (size_t n, align_val_t a), op_new_aligned, op_new_aligned_nothrow, n, size_t(a), n, a)
HD_NEW(operator new[], (size_t n, align_val_t a), op_new_array_aligned, op_new_array_aligned_nothrow, n, size_t(a), n, a)
HD_NEW_NOTHROW(operator new, (size_t n, const nothrow_t& t), op_new_nothrow, n, 0, n, t)
HD_NEW_NOTHROW(operator new[], (size_t n, const nothrow_t& t), op_new_array_nothrow, n, 0, n, t)
HD_NEW_NOTHROW(operator new, (size_t n, align_val_t a, const nothrow_t& t), op_new_aligned_nothrow, n, size_t(a), n, a, t)
HD_NEW_NOTHROW(operator new[], (size_t n, align_val_t a, const nothrow_t& t), op_new_array_aligned_nothrow, n, size_t(a), n, a, t)

HD_DELETE(operator delete, (void* p), op_delete, p)
HD_DELETE(operator delete[], (void* p), op_delete_array, p)
HD_DELETE(operator delete, (void* p, size_t n), op_delete_sized, p, n)
HD_DELETE(operator delete[], (void* p, size_t n), op_delete_array_sized, p, n)
HD_DELETE(operator delete, (void* p, const nothrow_t& t), op_delete_nothrow, p, t)
HD_DELETE(operator delete[], (void* p, const nothrow_t& t), op_delete_array_nothrow, p, t)
HD_DELETE(operator delete, (void* p, align_val_t a), op_delete_aligned, p, a)
HD_DELETE(operator delete[], (void* p, align_val_t a), op_delete_array_aligned, p, a)
HD_DELETE(operator delete, (void* p, size_t n, align_val_t a), op_delete_sized_aligned, p, n, a)
HD_DELETE(operator delete[], (void* p, size_t n, align_val_t a), op_delete_array_sized_aligned, p, n, a)
HD_DELETE(operator delete, (void* p, align_val_t a, const nothrow_t& t), op_delete_aligned_nothrow, p, a, t)
HD_DELETE(operator delete[], (void* p, align_val_t a, const nothrow_t& t), op_delete_array_aligned_nothrow, p, a, t)
