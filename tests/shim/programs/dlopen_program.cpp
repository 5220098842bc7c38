// dlopen_program LIBRARY SECONDS: for SECONDS, 2 threads dlopen LIBRARY, call its
// victim_work() and dlclose it, in a loop, while 2 other threads allocate and free.
//
// Run with HEAPDRIFT_SAMPLE_RATE=1, every allocation unwinds: the unwinder walks code
// that is being mapped and unmapped, and the library's constructor allocates while the
// loader's lock is held. It must finish (no deadlock, no crash) and leave a readable
// exit snapshot. Prints `rounds <dlopen/dlclose cycles>` and `allocs <worker allocations>`.
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "site.h"

namespace {

const char* g_library;
std::atomic<bool> g_stop{false};
std::atomic<long> g_rounds{0}, g_allocs{0}, g_errors{0};

void* loader(void*) {
  while (!g_stop.load(std::memory_order_relaxed)) {
    void* h = dlopen(g_library, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      g_errors++;
      continue;
    }
    auto work = reinterpret_cast<int (*)(int)>(dlsym(h, "victim_work"));
    if (!work || work(8) != 8 + 28) g_errors++;
    if (dlclose(h) != 0) g_errors++;
    g_rounds++;
  }
  return nullptr;
}

void* allocator(void* arg) {
  void* ring[32] = {};
  unsigned long n = reinterpret_cast<unsigned long>(arg);
  while (!g_stop.load(std::memory_order_relaxed)) {
    free(ring[n % 32]);
    ring[n % 32] = malloc(24 + (n * 13) % 700);
    hd_escape(ring[n % 32]);
    ++n;
    g_allocs++;
  }
  for (void* p : ring) free(p);
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: dlopen_program LIBRARY SECONDS\n");
    return 2;
  }
  g_library = argv[1];
  const double seconds = atof(argv[2]);
  pthread_t threads[4];
  pthread_create(&threads[0], nullptr, loader, nullptr);
  pthread_create(&threads[1], nullptr, loader, nullptr);
  pthread_create(&threads[2], nullptr, allocator, reinterpret_cast<void*>(0));
  pthread_create(&threads[3], nullptr, allocator, reinterpret_cast<void*>(1000));
  timespec t{static_cast<time_t>(seconds), static_cast<long>((seconds - static_cast<long>(seconds)) * 1e9)};
  nanosleep(&t, nullptr);
  g_stop = true;
  for (pthread_t th : threads) pthread_join(th, nullptr);
  printf("pid %d\n", static_cast<int>(getpid()));
  printf("rounds %ld\n", g_rounds.load());
  printf("allocs %ld\n", g_allocs.load());
  printf("errors %ld\n", g_errors.load());
  return g_errors.load() ? 3 : 0;
}
