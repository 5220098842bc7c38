// A preload library whose malloc and free only forward to the next library's (the
// allocator a program preloads after it, jemalloc in the churn section): the floor of
// any LD_PRELOAD shim in front of another allocator. The functions are looked up on
// the first call; what dlsym allocates meanwhile comes from a static buffer.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

static void* (*next_malloc)(size_t);
static void (*next_free)(void*);
static _Alignas(16) char bootstrap[1 << 16];
static size_t bootstrap_used;
static int resolving;

static void resolve(void) {
  resolving = 1;
  next_malloc = (void* (*)(size_t))dlsym(RTLD_NEXT, "malloc");
  next_free = (void (*)(void*))dlsym(RTLD_NEXT, "free");
  resolving = 0;
}

void* malloc(size_t size) {
  if (__builtin_expect(next_malloc != NULL, 1)) return next_malloc(size);
  if (resolving) {
    size_t rounded = (size + 15) & ~(size_t)15;
    if (rounded > sizeof(bootstrap) - bootstrap_used) return NULL;
    void* p = bootstrap + bootstrap_used;
    bootstrap_used += rounded;
    return p;
  }
  resolve();
  return next_malloc(size);
}

void free(void* p) {
  if ((char*)p >= bootstrap && (char*)p < bootstrap + sizeof(bootstrap)) return;
  if (__builtin_expect(next_free == NULL, 0)) resolve();
  next_free(p);
}
