// foreign_stack_program [thread]: allocations on stacks the program made, on the main
// thread or (with `thread`) on a second one. Every stack below is mmap'd with a guard
// page under it; each allocation also fits there without the shim:
// - a 256 KiB fiber (makecontext) keeps 30 blocks of 1111 bytes from the site `fiber`;
// - a 16 KiB fiber allocates and frees 50 blocks of 777 bytes at the site `tight`,
//   from ~6 KiB down its stack;
// - a SIGUSR1 handler on a 12 KiB alternate signal stack allocates and frees 20 blocks
//   of 555 bytes at the site `handler`;
// - the same handler on a 256 KiB alternate stack keeps 20 blocks of 666 bytes from
//   the site `roomy_handler`.
// The function that makes them all is the site `maker`.
// Prints the sites and exits with exit().
#include <signal.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cstdio>

#include "site.h"

HD_DECLARE_SITE(fiber);
HD_DECLARE_SITE(tight);
HD_DECLARE_SITE(handler);
HD_DECLARE_SITE(roomy_handler);
HD_DECLARE_SITE(maker);

namespace {

void* kept_fiber[30];
void* kept_handler[20];
ucontext_t g_back, g_fiber;
bool g_roomy;

void* stack_with_guard(size_t size) {
  char* m = static_cast<char*>(mmap(nullptr, size + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (m == MAP_FAILED || mprotect(m, 4096, PROT_NONE) != 0) abort();
  return m + 4096;
}

HD_SITE(fiber) void fiber_keeps() {
  for (void*& p : kept_fiber) p = malloc(1111);
}

HD_SITE(tight) void tight_allocates(int frames) {
  volatile char pad[1024];
  memset(const_cast<char*>(pad), 1, sizeof(pad));
  if (frames > 0) return tight_allocates(frames - 1);
  for (int i = 0; i < 50; ++i) {
    void* p = malloc(777);
    hd_escape(p);
    free(p);
  }
}

void fiber_body() {
  if (g_roomy) fiber_keeps();
  else tight_allocates(4);
}

void run_fiber(size_t size, bool roomy) {
  g_roomy = roomy;
  if (getcontext(&g_fiber) != 0) abort();
  g_fiber.uc_stack.ss_sp = stack_with_guard(size);
  g_fiber.uc_stack.ss_size = size;
  g_fiber.uc_link = &g_back;
  makecontext(&g_fiber, fiber_body, 0);
  if (swapcontext(&g_back, &g_fiber) != 0) abort();
}

HD_SITE(handler) void handler_allocates() {
  for (int i = 0; i < 20; ++i) {
    void* p = malloc(555);
    hd_escape(p);
    free(p);
  }
}

HD_SITE(roomy_handler) void handler_keeps() {
  for (void*& p : kept_handler) p = malloc(666);
}

void on_signal(int) {
  if (g_roomy) handler_keeps();
  else handler_allocates();
}

void run_on_alternate_stack(size_t size, bool roomy) {
  g_roomy = roomy;
  stack_t alt{};
  alt.ss_sp = stack_with_guard(size);
  alt.ss_size = size;
  if (sigaltstack(&alt, nullptr) != 0) abort();
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_ONSTACK;
  if (sigaction(SIGUSR1, &sa, nullptr) != 0 || raise(SIGUSR1) != 0) abort();
  alt.ss_flags = SS_DISABLE;
  if (sigaltstack(&alt, nullptr) != 0) abort();
}

// A fiber begins with the frame pointer run_fiber had at getcontext, whose chain leads
// here first.
HD_SITE(maker) void* all(void*) {
  run_fiber(256 * 1024, true);
  run_fiber(16 * 1024, false);
  run_on_alternate_stack(12 * 1024, false);
  run_on_alternate_stack(256 * 1024, true);
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  HD_PRINT_SITE(stdout, fiber);
  HD_PRINT_SITE(stdout, tight);
  HD_PRINT_SITE(stdout, handler);
  HD_PRINT_SITE(stdout, roomy_handler);
  HD_PRINT_SITE(stdout, maker);
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "thread") == 0) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, all, nullptr) != 0 || pthread_join(thread, nullptr) != 0) return 2;
  } else {
    all(nullptr);
  }
  hd_escape(kept_fiber);
  hd_escape(kept_handler);
  exit(0);
}
