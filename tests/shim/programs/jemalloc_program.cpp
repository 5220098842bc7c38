// jemalloc_program: keeps 100 × `new char[12345]` live at site `arrays`, then calls
// jemalloc's own API (mallocx, rallocx, xallocx, sdallocx, dallocx) at site `jeapi`, each region
// between two snapshots it asks for itself, and prints what the shim must have seen.
//
// jemalloc_test runs it with jemalloc preloaded behind the shim (which then resolves
// the real functions, C++ operators included, to jemalloc's) and with glibc alone
// (where the shim serves the *allocx calls with standard equivalents): the arrays must
// be seen the same either way, and every *allocx call counted once.
#include <malloc.h>
#include <stdint.h>

#include <cstdio>
#include <cstring>
#include <new>

#include "self_snapshot.h"
#include "site.h"

// Exported by the shim (and by jemalloc); weak so the program also links without them.
extern "C" {
void* mallocx(size_t size, int flags) __attribute__((weak));
void* rallocx(void* p, size_t size, int flags) __attribute__((weak));
size_t xallocx(void* p, size_t size, size_t extra, int flags) __attribute__((weak));
void sdallocx(void* p, size_t size, int flags) __attribute__((weak));
void dallocx(void* p, int flags) __attribute__((weak));
}

HD_DECLARE_SITE(arrays);
HD_DECLARE_SITE(jeapi);

namespace {

constexpr int kZero = 0x40;                    // MALLOCX_ZERO
constexpr int lg_align(int lg) { return lg; }  // MALLOCX_LG_ALIGN

char* g_arrays[100];
volatile size_t g_huge = static_cast<size_t>(PTRDIFF_MAX) + 1;

struct Ledger {
  uint64_t alloc_calls, free_calls, alloc_bytes, free_bytes;
  void* live[8];
  size_t live_size[8];
  int n_live;
  const char* unexpected;
  int resized_in_place;
} L;

void allocated(void* p, const char* what) {
  if (!p) {
    L.unexpected = what;
    return;
  }
  L.alloc_calls++;
  L.alloc_bytes += malloc_usable_size(p);
}
void freeing(void* p) {
  L.free_calls++;
  L.free_bytes += malloc_usable_size(p);
}
// xallocx: a block whose size changed was freed and allocated again where it is.
size_t resized(size_t before, size_t after) {
  if (after != before) {
    L.free_calls++, L.free_bytes += before;
    L.alloc_calls++, L.alloc_bytes += after;
    L.resized_in_place++;
  }
  return after;
}
void keep(void* p, size_t size) {
  L.live[L.n_live] = p;
  L.live_size[L.n_live++] = size;
}

HD_SITE(arrays) void allocate_arrays() {
  for (char*& a : g_arrays) {
    a = new char[12345];
    hd_escape(a);
  }
}

HD_SITE(jeapi) void use_jemalloc_api() {
  void* p = mallocx(1024, 0);
  allocated(p, "mallocx"), keep(p, 1024);

  p = mallocx(2048, kZero);
  allocated(p, "mallocx zero");
  for (int i = 0; p && i < 2048; ++i) {
    if (static_cast<char*>(p)[i] != 0) L.unexpected = "MALLOCX_ZERO block not zeroed";
  }
  freeing(p), dallocx(p, 0);

  p = mallocx(512, 0);
  allocated(p, "mallocx");
  size_t old_usable = malloc_usable_size(p);
  void* q = rallocx(p, 5120, 0);
  if (!q) L.unexpected = "rallocx";
  L.free_calls++, L.free_bytes += old_usable, allocated(q, "rallocx"), keep(q, 5120);

  p = mallocx(320, lg_align(6));
  allocated(p, "mallocx aligned");
  if (reinterpret_cast<uintptr_t>(p) % 64) L.unexpected = "MALLOCX_LG_ALIGN(6) block not aligned";
  freeing(p), sdallocx(p, 320, lg_align(6));

  // Shrunk in place, then grown back into the pages it gave up: jemalloc does both for
  // a large block (glibc never does: the block keeps its size).
  p = mallocx(64 << 10, 0);
  allocated(p, "mallocx");
  size_t before = malloc_usable_size(p);
  size_t after = resized(before, xallocx(p, 32 << 10, 0, 0));
  after = resized(after, xallocx(p, 48 << 10, 0, 0));
  if (malloc_usable_size(p) != after) L.unexpected = "xallocx's size is not the usable size";
  keep(p, after == before ? 64 << 10 : after);  // unresized, it is recorded as asked for

  p = mallocx(64, 0);
  allocated(p, "mallocx"), keep(p, 64);
  if (rallocx(p, g_huge, 0)) L.unexpected = "rallocx(p, huge) succeeded";
}

}  // namespace

int main() {
  shimtest::SelfSnapshot snap;
  if (!snap.init()) {
    fprintf(stderr, "jemalloc_program: HEAPDRIFT_OUTPUT must be an absolute directory\n");
    return 2;
  }
  if (!mallocx || !rallocx || !xallocx || !sdallocx || !dallocx) {
    fprintf(stderr, "jemalloc_program: mallocx & co. not found: is the shim preloaded?\n");
    return 2;
  }
  unsigned s1 = snap.take();
  allocate_arrays();
  unsigned s2 = snap.take();
  use_jemalloc_api();
  unsigned s3 = snap.take();

  printf("pid %d\n", static_cast<int>(getpid()));
  HD_PRINT_SITE(stdout, arrays);
  HD_PRINT_SITE(stdout, jeapi);
  printf("snaps %u %u %u\n", s1, s2, s3);
  printf("expect alloc_calls %llu\n", static_cast<unsigned long long>(L.alloc_calls));
  printf("expect free_calls %llu\n", static_cast<unsigned long long>(L.free_calls));
  printf("expect alloc_bytes %llu\n", static_cast<unsigned long long>(L.alloc_bytes));
  printf("expect free_bytes %llu\n", static_cast<unsigned long long>(L.free_bytes));
  printf("expect array_usable %zu\n", malloc_usable_size(g_arrays[0]));
  printf("expect resized_in_place %d\n", L.resized_in_place);
  for (int i = 0; i < L.n_live; ++i) {
    printf("live %#lx %zu\n", reinterpret_cast<unsigned long>(L.live[i]), L.live_size[i]);
  }
  if (L.unexpected) printf("unexpected %s\n", L.unexpected);
  return s1 && s2 && s3 ? 0 : 3;
}
