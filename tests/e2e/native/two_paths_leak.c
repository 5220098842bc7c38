// One function keeps the blocks that two callers ask it for: 48 blocks of 64 KiB
// through path_a, then N (the argument, at most 16; 16 without one) through path_b.
// Two stacks, one allocating function: `report` and `diff` show them as one row.
#include <stdlib.h>

static void* kept[64];
static int count;

__attribute__((noinline)) static void keep_block(void) { kept[count++] = malloc(64 << 10); }

__attribute__((noinline)) static void path_a(void) {
  for (int i = 0; i < 48; ++i) keep_block();
}

__attribute__((noinline)) static void path_b(int n) {
  for (int i = 0; i < n; ++i) keep_block();
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 16;
  path_a();
  path_b(n < 0 || n > 16 ? 16 : n);
  return kept[count - 1] ? 0 : 1;
}
