// malloc_address_program: built without PIE, it takes malloc's address, so the linker
// gives malloc a canonical PLT entry in the program and every lookup of malloc
// (dlsym included) answers that address. Calls through it reach the first malloc in
// symbol order all the same: with the shim preloaded, the shim's. Allocates 64 blocks
// through the pointer, frees them, prints "ok".
#include <stdio.h>
#include <stdlib.h>

void* (*volatile g_allocate)(size_t);

int main(void) {
  g_allocate = malloc;  // an absolute address in the code: the canonical PLT entry
  void* blocks[64];
  for (int i = 0; i < 64; i++) {
    blocks[i] = g_allocate(1000);
    if (!blocks[i]) return 1;
  }
  for (int i = 0; i < 64; i++) free(blocks[i]);
  printf("ok\n");
  return 0;
}
