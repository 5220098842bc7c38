/* Preloaded into `heapdrift` by the huge-page tests: each program image the process
   runs prints the GLIBC_TUNABLES it started with, so a re-execution shows as a second
   line (analyzer/cli/huge_page_heap.h). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void print_tunables(void) {
  const char* tunables = getenv("GLIBC_TUNABLES");
  fprintf(stderr, "tunables: %s\n", tunables ? tunables : "(none)");
}
