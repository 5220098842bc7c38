#include "frames.h"

#include <stdlib.h>
#include <string.h>

struct frame {
  struct frame* next;
  size_t size;
  char data[];
};

static struct frame* cache;  // never trimmed: the leak
char* lookup_table;  // visible, so that the compiler keeps it

__attribute__((noinline)) void frame_cache_retain(const char* data, size_t size) {
  struct frame* f = malloc(sizeof *f + size);
  if (!f) return;
  f->size = size;
  memcpy(f->data, data, size);
  f->next = cache;
  cache = f;
}

__attribute__((noinline)) void encode_scratch(size_t size) {
  char* scratch = malloc(size);
  if (!scratch) return;
  memset(scratch, 0x5a, size);
  free(scratch);
}

__attribute__((noinline)) void lookup_table_init(size_t size) {
  lookup_table = malloc(size);
  if (lookup_table) memset(lookup_table, 1, size);
}
