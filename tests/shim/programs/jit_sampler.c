// A library whose constructor starts a thread that allocates for ever through a stub of
// machine code in an anonymous mapping, as JIT code is: outside every loaded object and
// without unwind info, so that each sample asks whether a frame is in a loaded object
// (stack_capture.cpp). Loaded by perl in Debian 11 (old_distro_test.cpp): built here
// against glibc 2.36, it asks for pthread_create by the version glibc 2.31 has.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

__asm__(".symver pthread_create, pthread_create@GLIBC_2.2.5");

typedef void* (*Allocate)(size_t);
typedef void* (*Stub)(size_t size, Allocate allocate);

// push %rbp; mov %rsp,%rbp; call *%rsi; pop %rbp; ret: a frame of its own, linked by
// the frame pointer, around allocate(size).
static const unsigned char kStub[] = {0x55, 0x48, 0x89, 0xe5, 0xff, 0xd6, 0x5d, 0xc3};

static void* allocate_for_ever(void* stub) {
  for (;;) free(((Stub)stub)(64, malloc));
  return NULL;
}

__attribute__((constructor)) static void start_allocating(void) {
  void* code = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) abort();
  memcpy(code, kStub, sizeof(kStub));
  if (mprotect(code, 4096, PROT_READ | PROT_EXEC) != 0) abort();
  pthread_t thread;
  if (pthread_create(&thread, NULL, allocate_for_ever, code) != 0) abort();
}
