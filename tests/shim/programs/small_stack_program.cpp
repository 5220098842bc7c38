// small_stack_program: a thread made with the smallest stack glibc allows
// (PTHREAD_STACK_MIN, 16 KiB), which allocates and frees 50 blocks of 777 bytes at the
// site `small` from ~2 KiB down its stack, as fits without the shim; then a thread with
// a 1 MiB stack that keeps 20 blocks of 4321 bytes at the site `roomy`. Prints both
// sites and exits with exit().
//
// `small_stack_program main`: the main thread recurses to within 6 KiB of where
// RLIMIT_STACK lets its stack grow, and there allocates and frees 20 blocks of 555
// bytes at the site `near_limit`, as fits without the shim.
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdio>

#include "site.h"

HD_DECLARE_SITE(small);
HD_DECLARE_SITE(roomy);
HD_DECLARE_SITE(near_limit);

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

HD_SITE(near_limit) void allocate_near_limit() {
  for (int i = 0; i < 20; ++i) {
    void* p = malloc(555);
    hd_escape(p);
    free(p);
  }
}

// Recurses 1 KiB a frame, touching each, until within 6 KiB of `floor`.
__attribute__((noinline)) void descend(uintptr_t floor) {
  volatile char pad[1024];
  memset(const_cast<char*>(pad), 2, sizeof(pad));
  if (reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - floor > 7 * 1024) return descend(floor);
  allocate_near_limit();
}

// The lowest address the main thread's stack may grow to: the end of its mapping less
// RLIMIT_STACK, as the kernel counts.
uintptr_t main_stack_floor() {
  rlimit limit;
  if (getrlimit(RLIMIT_STACK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  FILE* maps = fopen("/proc/self/maps", "r");
  if (!maps) return 0;
  char line[512];
  uintptr_t lo = 0, hi = 0;
  while (fgets(line, sizeof(line), maps)) {
    if (strstr(line, "[stack]")) sscanf(line, "%lx-%lx", &lo, &hi);
  }
  fclose(maps);
  return hi > limit.rlim_cur ? hi - limit.rlim_cur : 0;
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

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "main") == 0) {
    HD_PRINT_SITE(stdout, near_limit);
    fflush(stdout);
    uintptr_t floor = main_stack_floor();
    if (floor == 0) return 2;
    descend(floor);
    return 0;
  }
  HD_PRINT_SITE(stdout, small);
  HD_PRINT_SITE(stdout, roomy);
  fflush(stdout);
  if (!run(small_thread, PTHREAD_STACK_MIN) || !run(roomy_thread, 1 << 20)) return 2;
  hd_escape(kept);
  return 0;
}
