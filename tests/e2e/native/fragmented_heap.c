// A heap that glibc takes long to count: 50,000 free chunks of 1,100–1,599 bytes (past
// the sizes its per-thread cache keeps), each between two blocks kept. Then 2 s of
// small allocations, so that snapshots come (--interval), and an ordinary exit.
#include <stdlib.h>
#include <time.h>

enum { kChunks = 50000 };
static void* kept[kChunks];

int main(void) {
  static void* freed[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    kept[i] = malloc(1100 + (i * 37) % 500);
    freed[i] = malloc(1100 + (i * 53) % 500);
  }
  for (int i = 0; i < kChunks; ++i) free(freed[i]);
  for (int i = 0; i < 200; ++i) {
    free(malloc(64));
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
  return kept[0] == NULL;
}
