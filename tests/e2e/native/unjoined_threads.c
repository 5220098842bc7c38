// Threads that end without being joined or detached: each keeps its stack mapped (and
// resident as far as it was used) until pthread_join, which never comes. A thread is
// started every 3 ms for 3 s; each writes 32 KiB of its stack and returns. Nothing of
// this is malloc'ed but glibc's small per-thread blocks.
#include <pthread.h>
#include <string.h>
#include <time.h>

static void* work(void* arg) {
  char used[32 * 1024];
  memset(used, 1, sizeof(used));
  __asm__ volatile("" : : "r"(used) : "memory");  // the writes stay
  return arg;
}

int main(void) {
  for (int i = 0; i < 1000; ++i) {
    pthread_t t;
    if (pthread_create(&t, NULL, work, NULL) != 0) return 1;
    nanosleep(&(struct timespec){0, 3 * 1000 * 1000}, NULL);
  }
  return 0;
}
