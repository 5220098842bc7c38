// hooks_program: calls every allocation entry point the shim interposes a known number
// of times at one site (section hd_site_hooks), between two snapshots it asks for
// itself, and prints what the shim must have seen: the counter deltas (usable sizes
// measured here with malloc_usable_size) and every block left live with its requested
// size. A hook that is missing, counts twice, loses a realloc's old block or records
// the wrong size shows up as a mismatch in hooks_test.
//
// Failing calls are part of it: they must record nothing (at rates above 1 the hooks
// that count before the call count them: the program tallies those apart), and a
// failed realloc must leave its old block live and recorded once. With argument `throw`, a third snapshot
// follows a region where a throwing operator new fails and its bad_alloc is caught:
// that region frees all it allocates, so its counters must balance.
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <new>

#include "self_snapshot.h"
#include "site.h"

HD_DECLARE_SITE(hooks);
HD_DECLARE_SITE(throwing);

namespace {

// What the region did, kept in static storage: the bookkeeping must not allocate.
struct Ledger {
  uint64_t alloc_calls, free_calls, alloc_bytes, free_bytes;
  uint64_t failed_calls;  // failed calls of the hooks that count before calling (not realloc's)
  struct Block {
    void* p;
    size_t size;
    const char* what;
  } live[64];
  int n_live;
  const char* unexpected[16];
  int n_unexpected;
} L;

volatile size_t g_huge = static_cast<size_t>(PTRDIFF_MAX) + 1;  // no allocator can serve it
volatile size_t g_half = SIZE_MAX / 2;  // times 4 overflows

void unexpected(const char* what) {
  if (L.n_unexpected < 16) L.unexpected[L.n_unexpected++] = what;
}
// A call that failed as it should (the block is null).
void failed(const void* p, const char* what) {
  if (p) return unexpected(what);
  L.failed_calls++;
}
void allocated(void* p, const char* what) {
  if (!p) return unexpected(what);
  L.alloc_calls++;
  L.alloc_bytes += malloc_usable_size(p);
}
void keep(void* p, size_t size, const char* what) {
  if (p && L.n_live < 64) L.live[L.n_live++] = {p, size, what};
}
// Call before the block is freed.
void freeing(void* p) {
  L.free_calls++;
  L.free_bytes += malloc_usable_size(p);
}
// A successful realloc of a non-null block: one free of the old, one allocation.
void reallocated(size_t old_usable, void* p, const char* what) {
  if (!p) return unexpected(what);
  L.free_calls++;
  L.free_bytes += old_usable;
  allocated(p, what);
}

HD_SITE(hooks) void exercise_c() {
  void* p;
  void* q;
  size_t us;

  p = malloc(100), allocated(p, "malloc"), keep(p, 100, "malloc");
  p = malloc(200), allocated(p, "malloc"), freeing(p), free(p);
  failed(malloc(g_huge), "malloc(huge) succeeded");
  free(nullptr);  // not a free of a block: not counted

  p = calloc(10, 30), allocated(p, "calloc"), keep(p, 300, "calloc");
  p = calloc(5, 5), allocated(p, "calloc"), freeing(p), free(p);
  failed(calloc(g_huge, 16), "calloc overflow succeeded");

  p = malloc(40), allocated(p, "malloc");  // realloc that grows
  us = malloc_usable_size(p), q = realloc(p, 4000), reallocated(us, q, "realloc grow"),
  keep(q, 4000, "realloc grow");
  p = malloc(5000), allocated(p, "malloc");  // realloc that shrinks
  us = malloc_usable_size(p), q = realloc(p, 50), reallocated(us, q, "realloc shrink"),
  keep(q, 50, "realloc shrink");
  p = realloc(nullptr, 70), allocated(p, "realloc(NULL, n)"), keep(p, 70, "realloc(NULL, n)");
  p = malloc(80), allocated(p, "malloc");  // realloc(p, 0): glibc frees p, returns NULL
  freeing(p), q = realloc(p, 0);
  if (q) allocated(q, "realloc(p, 0)"), keep(q, 0, "realloc(p, 0)");
  p = malloc(90), allocated(p, "malloc"), keep(p, 90, "block of a failed realloc");
  if (realloc(p, g_huge)) unexpected("realloc(p, huge) succeeded");

  p = reallocarray(nullptr, 7, 11), allocated(p, "reallocarray(NULL)");
  us = malloc_usable_size(p), q = reallocarray(p, 20, 30), reallocated(us, q, "reallocarray"),
  keep(q, 600, "reallocarray");
  errno = 0;
  if (reallocarray(q, g_half, 4) || errno != ENOMEM) unexpected("reallocarray overflow");

  if (posix_memalign(&p, 64, 300) != 0) p = nullptr;
  allocated(p, "posix_memalign"), keep(p, 300, "posix_memalign");
  if (posix_memalign(&p, 256, 50) != 0) p = nullptr;
  allocated(p, "posix_memalign"), freeing(p), free(p);
  if (posix_memalign(&p, 3, 10) != EINVAL) unexpected("posix_memalign(align 3) did not fail");
  L.failed_calls++;

  p = aligned_alloc(128, 256), allocated(p, "aligned_alloc"), keep(p, 256, "aligned_alloc");
  p = aligned_alloc(64, 64), allocated(p, "aligned_alloc"), freeing(p), free(p);
  p = memalign(256, 1000), allocated(p, "memalign"), keep(p, 1000, "memalign");
  p = memalign(32, 10), allocated(p, "memalign"), freeing(p), free(p);
  p = valloc(123), allocated(p, "valloc"), keep(p, 123, "valloc");
  p = valloc(1), allocated(p, "valloc"), freeing(p), free(p);
  p = pvalloc(321), allocated(p, "pvalloc"), keep(p, 321, "pvalloc");
  p = pvalloc(5000), allocated(p, "pvalloc"), freeing(p), free(p);
}

HD_SITE(hooks) void exercise_cxx() {
  const std::align_val_t al{64};
  const std::nothrow_t& nt = std::nothrow;
  void* p;

  p = operator new(111), allocated(p, "new"), keep(p, 111, "new");
  p = operator new(112), allocated(p, "new"), freeing(p), operator delete(p);
  p = operator new[](113), allocated(p, "new[]"), keep(p, 113, "new[]");
  p = operator new[](114), allocated(p, "new[]"), freeing(p), operator delete[](p);
  p = operator new(115, nt), allocated(p, "new nothrow"), keep(p, 115, "new nothrow");
  p = operator new(116, nt), allocated(p, "new nothrow"), freeing(p), operator delete(p, nt);
  p = operator new[](117, nt), allocated(p, "new[] nothrow"), keep(p, 117, "new[] nothrow");
  p = operator new[](118, nt), allocated(p, "new[] nothrow"), freeing(p), operator delete[](p, nt);
  p = operator new(119, al), allocated(p, "new aligned"), keep(p, 119, "new aligned");
  p = operator new(120, al), allocated(p, "new aligned"), freeing(p), operator delete(p, al);
  p = operator new[](121, al), allocated(p, "new[] aligned"), keep(p, 121, "new[] aligned");
  p = operator new[](122, al), allocated(p, "new[] aligned"), freeing(p), operator delete[](p, al);
  p = operator new(123, al, nt), allocated(p, "new aligned nothrow"), keep(p, 123, "new aligned nothrow");
  p = operator new(124, al, nt), allocated(p, "new aligned nothrow"), freeing(p),
  operator delete(p, al, nt);
  p = operator new[](125, al, nt), allocated(p, "new[] aligned nothrow"),
  keep(p, 125, "new[] aligned nothrow");
  p = operator new[](126, al, nt), allocated(p, "new[] aligned nothrow"), freeing(p),
  operator delete[](p, al, nt);
  p = operator new(127), allocated(p, "new"), freeing(p), operator delete(p, size_t{127});
  p = operator new[](128), allocated(p, "new[]"), freeing(p), operator delete[](p, size_t{128});
  operator delete(nullptr);  // not frees of blocks: not counted
  operator delete[](nullptr);
  p = operator new(129, al), allocated(p, "new aligned"), freeing(p), operator delete(p, size_t{129}, al);
  p = operator new[](130, al), allocated(p, "new[] aligned"), freeing(p),
  operator delete[](p, size_t{130}, al);

  failed(operator new(g_huge, nt), "new(huge, nothrow) succeeded");
  failed(operator new[](g_huge, al, nt), "new[](huge, aligned, nothrow) succeeded");
}

HD_SITE(throwing) void throwing_new_fails() {
  try {
    void* p = operator new(g_huge);
    hd_escape(p);
    unexpected("new(huge) did not throw");
  } catch (const std::bad_alloc&) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool with_throw = argc > 1 && strcmp(argv[1], "throw") == 0;
  shimtest::SelfSnapshot snap;
  if (!snap.init()) {
    fprintf(stderr, "hooks_program: HEAPDRIFT_OUTPUT must be an absolute directory\n");
    return 2;
  }
  unsigned before = snap.take();
  exercise_c();
  exercise_cxx();
  unsigned after = snap.take();
  unsigned thrown = 0;
  if (with_throw) {
    throwing_new_fails();
    thrown = snap.take();
  }

  printf("pid %d\n", static_cast<int>(getpid()));
  HD_PRINT_SITE(stdout, hooks);
  HD_PRINT_SITE(stdout, throwing);
  printf("snaps %u %u %u\n", before, after, thrown);
  printf("expect alloc_calls %llu\n", static_cast<unsigned long long>(L.alloc_calls));
  printf("expect free_calls %llu\n", static_cast<unsigned long long>(L.free_calls));
  printf("expect alloc_bytes %llu\n", static_cast<unsigned long long>(L.alloc_bytes));
  printf("expect free_bytes %llu\n", static_cast<unsigned long long>(L.free_bytes));
  printf("expect failed_calls %llu\n", static_cast<unsigned long long>(L.failed_calls));
  for (int i = 0; i < L.n_live; ++i) {
    printf("live %#lx %zu %s\n", reinterpret_cast<unsigned long>(L.live[i].p), L.live[i].size,
           L.live[i].what);
  }
  for (int i = 0; i < L.n_unexpected; ++i) printf("unexpected %s\n", L.unexpected[i]);
  // The names of the process's threads, the shim's writer among them (after the
  // snapshots: reading /proc allocates).
  if (DIR* tasks = opendir("/proc/self/task")) {
    while (dirent* e = readdir(tasks)) {
      if (e->d_name[0] == '.') continue;
      char path[64], name[32] = "";
      snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
      if (FILE* f = fopen(path, "r")) {
        if (fgets(name, sizeof(name), f)) name[strcspn(name, "\n")] = '\0';
        fclose(f);
      }
      printf("thread %s\n", name);
    }
    closedir(tasks);
  }
  return before && after && (!with_throw || thrown) ? 0 : 3;
}
