// static_allocator_program: jemalloc linked into the executable (libjemalloc.a), so
// that its malloc comes before any preloaded library's. Like Chromium's zygote, it
// checks that it is single-threaded before and after it forks a child, which does the
// same; each allocates and frees. Prints "pid N" for both and "ok" if all held.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long threads(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long n = -1;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "Threads:", 8) == 0) n = strtol(line + 8, NULL, 10);
  }
  fclose(f);
  return n;
}

static size_t churn(void) {
  char* blocks[64];
  size_t total = 0;
  for (int i = 0; i < 64; i++) {
    blocks[i] = malloc(1000 + (size_t)i);
    if (!blocks[i]) exit(1);
    memset(blocks[i], i, 1000);
    total += (unsigned char)blocks[i][i];
  }
  for (int i = 0; i < 64; i++) free(blocks[i]);
  return total;
}

int main(void) {
  size_t total = churn();
  printf("pid %d\n", (int)getpid());
  if (threads() != 1) {
    printf("threads %ld\n", threads());
    return 2;
  }
  fflush(stdout);
  pid_t child = fork();
  if (child < 0) return 3;
  if (child == 0) {
    churn();
    printf("pid %d\n", (int)getpid());
    exit(threads() == 1 ? 0 : 4);  // exit, not _exit: the shim's exit handler runs
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 5;
  if (threads() != 1) return 6;
  printf("ok %zu\n", total);
  return 0;
}
