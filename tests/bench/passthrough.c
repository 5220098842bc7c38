// A preload library whose malloc and free only forward to glibc's: the floor of any
// LD_PRELOAD shim (one more call through the PLT each way), which the micro-benchmark
// sets beside heapdrift's per-call cost. glibc exports its own entry points as
// __libc_malloc and __libc_free, so no dlsym is needed to find them.
#include <stddef.h>

extern void* __libc_malloc(size_t size);
extern void __libc_free(void* p);

void* malloc(size_t size) { return __libc_malloc(size); }
void free(void* p) { __libc_free(p); }
