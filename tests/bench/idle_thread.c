// A preload library that starts one thread which sleeps until the process ends: the
// baseline that isolates glibc's arena locking (glibc's malloc skips its lock only
// while a process has a single thread, and the shim's writer thread is a second one).
#include <pthread.h>
#include <unistd.h>

static void* sleep_forever(void* unused) {
  (void)unused;
  for (;;) pause();
  return 0;
}

__attribute__((constructor)) static void start_idle_thread(void) {
  pthread_t t;
  if (pthread_create(&t, 0, sleep_forever, 0) == 0) pthread_detach(t);
}
