/* locked_allocator: malloc, free, calloc, realloc and mallinfo2 that take one lock
   around glibc's, and locked_allocator_hold(), which takes it for good. Preloaded
   behind the shim, it stands for an allocator whose lock the exiting thread holds, as
   when exit() is called from a signal handler that interrupted malloc. */
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>

extern void* __libc_malloc(size_t);
extern void __libc_free(void*);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void locked_allocator_hold(void) { pthread_mutex_lock(&lock); }

void* malloc(size_t n) {
  pthread_mutex_lock(&lock);
  void* p = __libc_malloc(n);
  pthread_mutex_unlock(&lock);
  return p;
}

void free(void* p) {
  pthread_mutex_lock(&lock);
  __libc_free(p);
  pthread_mutex_unlock(&lock);
}

void* calloc(size_t n, size_t size) {
  pthread_mutex_lock(&lock);
  void* p = __libc_calloc(n, size);
  pthread_mutex_unlock(&lock);
  return p;
}

void* realloc(void* old, size_t n) {
  pthread_mutex_lock(&lock);
  void* p = __libc_realloc(old, n);
  pthread_mutex_unlock(&lock);
  return p;
}

struct mallinfo2 mallinfo2(void) {
  pthread_mutex_lock(&lock);
  struct mallinfo2 m = {0};
  pthread_mutex_unlock(&lock);
  return m;
}
