// small_stack_program: a thread made with the smallest stack glibc allows
// (PTHREAD_STACK_MIN, 16 KiB), which allocates and frees 50 blocks of 777 bytes at the
// site `small` from ~2 KiB down its stack, as fits without the shim; then a thread with
// a 1 MiB stack that keeps 20 blocks of 4321 bytes at the site `roomy`. Prints both
// sites and exits with exit().
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cstdio>

#include "site.h"

HD_DECLARE_SITE(small);
HD_DECLARE_SITE(roomy);

namespace {

void* kept[20];

HD_SITE(small) void allocate_small(int frames) {
  volatile char pad[512];
  memset(const_cast<char*>(pad), 1, sizeof(pad));
  if (frames > 0) return allocate_small(frames - 1);
  void* p = malloc(777);
  hd_escape(p);
  free(p);
}

void* small_thread(void*) {
  for (int i = 0; i < 50; ++i) allocate_small(4);
  return nullptr;
}

HD_SITE(roomy) void* allocate_roomy() { return malloc(4321); }

void* roomy_thread(void*) {
  for (void*& p : kept) p = allocate_roomy();
  return nullptr;
}

bool run(void* (*body)(void*), size_t stack) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_t thread;
  bool ok = pthread_attr_setstacksize(&attr, stack) == 0 && pthread_create(&thread, &attr, body, nullptr) == 0 &&
            pthread_join(thread, nullptr) == 0;
  pthread_attr_destroy(&attr);
  return ok;
}

}  // namespace

int main() {
  HD_PRINT_SITE(stdout, small);
  HD_PRINT_SITE(stdout, roomy);
  fflush(stdout);
  if (!run(small_thread, PTHREAD_STACK_MIN) || !run(roomy_thread, 1 << 20)) return 2;
  hd_escape(kept);
  return 0;
}
