// context_leak: a stand-in for a server with memory contexts and no symbols for their
// internals, as Debian's postgres (whose names it borrows). palloc() takes chunks from
// the current context's block; when the block is full, a static function mallocs the
// next one. Built stripped with -rdynamic (tests/e2e/CMakeLists.txt): the exported
// functions are named through the dynamic symbol table, the static one is not, in
// every stack. cache_insert() keeps its chunks (its context is never reset): the leak;
// run_query() resets its context after each query.
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Block {
  struct Block* next;
} Block;
typedef struct MemoryContext {
  Block* blocks;
  char *free, *end;
} MemoryContext;

enum { kBlockSize = 8192 };
static MemoryContext cache_context, query_context;
MemoryContext* CurrentMemoryContext = &query_context;

__attribute__((noinline)) static void context_add_block(MemoryContext* c, size_t need) {
  size_t size = need + sizeof(Block) > kBlockSize ? need + sizeof(Block) : kBlockSize;
  Block* b = malloc(size);
  if (!b) abort();
  b->next = c->blocks;
  c->blocks = b;
  c->free = (char*)(b + 1);
  c->end = (char*)b + size;
}

__attribute__((noinline)) void* palloc(size_t size) {
  MemoryContext* c = CurrentMemoryContext;
  size = (size + 15) & ~(size_t)15;
  if (!c->free || (size_t)(c->end - c->free) < size) context_add_block(c, size);
  void* p = c->free;
  c->free += size;
  return p;
}

__attribute__((noinline)) void MemoryContextReset(MemoryContext* c) {
  while (c->blocks) {
    Block* next = c->blocks->next;
    free(c->blocks);
    c->blocks = next;
  }
  c->free = c->end = NULL;
}

__attribute__((noinline)) void cache_insert(int key) {
  CurrentMemoryContext = &cache_context;
  char* entry = palloc(600);
  memset(entry, key, 600);
  CurrentMemoryContext = &query_context;
}

__attribute__((noinline)) void run_query(int rows) {
  for (int r = 0; r < rows; ++r) memset(palloc(300), r, 300);
  MemoryContextReset(&query_context);
}

int main(void) {
  const struct timespec pause = {0, 1000000};
  // 3,000 rounds, some 3.5 s: the cache grows by 1.8 MB in 223 blocks of 8 KiB.
  for (int round = 0; round < 3000; ++round) {
    cache_insert(round);
    run_query(50);
    nanosleep(&pause, NULL);
  }
  return 0;
}
