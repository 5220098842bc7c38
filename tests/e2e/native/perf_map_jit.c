// A program that makes code at run time, as a JIT does, and names it in
// /tmp/perf-<pid>.map as V8 does. Later it names the same addresses as another
// function (a JIT reuses its code space), and at the end it removes its map. The
// generated code calls back into C to allocate: 100 blocks of 64 KiB under the first
// name, 50 under the second, all kept.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

void* kept[256];  // not static: the compiler must not drop the allocations
static int count;

__attribute__((noinline)) static void remember(void) {
  kept[count] = malloc(64 << 10);
  memset(kept[count], count, 64 << 10);
  ++count;
}

static void name_code(const char* map, void* code, const char* name) {
  FILE* f = fopen(map, "a");
  if (!f) exit(2);
  fprintf(f, "%lx 8 %s\n", (unsigned long)code, name);
  fclose(f);
}

static void pause_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

int main(void) {
  // push %rbp; mov %rsp,%rbp; call *%rdi; pop %rbp; ret: a frame-pointer frame, as
  // JIT code has.
  static const unsigned char trampoline[] = {0x55, 0x48, 0x89, 0xe5, 0xff, 0xd7, 0x5d, 0xc3};
  unsigned char* code = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) return 2;
  memcpy(code + 64, trampoline, sizeof trampoline);
  if (mprotect(code, 4096, PROT_READ | PROT_EXEC) != 0) return 2;
  void (*call)(void (*)(void)) = (void (*)(void (*)(void)))(code + 64);

  char map[64];
  snprintf(map, sizeof map, "/tmp/perf-%d.map", (int)getpid());
  unlink(map);
  name_code(map, code + 64, "JS:*alphaLeak /app/alpha.js:10:5");
  for (int i = 0; i < 100; ++i) call(remember);
  pause_ms(1200);  // snapshots copy the map meanwhile
  name_code(map, code + 64, "JS:*betaLeak /app/beta.js:20:3");
  for (int i = 0; i < 50; ++i) call(remember);
  pause_ms(800);
  unlink(map);  // the recording has its copy
  return 0;
}
