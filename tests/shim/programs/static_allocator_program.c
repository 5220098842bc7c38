// static_allocator_program: jemalloc linked into the executable (libjemalloc.a), so
// that its malloc comes before any preloaded library's. Allocates, frees, prints "ok".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char* blocks[64];
  size_t total = 0;
  for (int i = 0; i < 64; i++) {
    blocks[i] = malloc(1000 + (size_t)i);
    if (!blocks[i]) return 1;
    memset(blocks[i], i, 1000);
    total += (unsigned char)blocks[i][i];
  }
  for (int i = 0; i < 64; i++) free(blocks[i]);
  printf("ok %zu\n", total);
  return 0;
}
