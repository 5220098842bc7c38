// RSS that grows outside malloc, as a JVM's Metaspace or a garbage-collected heap does:
// 24 anonymous mappings of 8 MiB, each written through, one every 100 ms, never freed.
#include <string.h>
#include <sys/mman.h>
#include <time.h>

int main(void) {
  for (int i = 0; i < 24; ++i) {
    void* p = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    memset(p, 1, 8 << 20);
    nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
  }
  return 0;
}
