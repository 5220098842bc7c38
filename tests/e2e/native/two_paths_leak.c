// One function keeps the blocks that two callers ask it for: 48 blocks of 64 KiB
// through path_a, 16 through path_b. Two stacks, one allocating function: `report`
// shows them as one row of 4 MiB from 2 call paths.
#include <stdlib.h>

static void* kept[64];
static int count;

__attribute__((noinline)) static void keep_block(void) { kept[count++] = malloc(64 << 10); }

__attribute__((noinline)) static void path_a(void) {
  for (int i = 0; i < 48; ++i) keep_block();
}

__attribute__((noinline)) static void path_b(void) {
  for (int i = 0; i < 16; ++i) keep_block();
}

int main(void) {
  path_a();
  path_b();
  return kept[count - 1] ? 0 : 1;
}
