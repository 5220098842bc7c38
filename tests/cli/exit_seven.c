/* A program that allocates, sleeps SECONDS (if given) and exits with status 7, built
   twice: dynamically linked and statically linked, to see which `heapdrift record` can
   reach, and to run alone in a chroot. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  char* p = malloc(4096);
  if (!p) return 1;
  memset(p, 1, 4096);
  free(p);
  if (argc > 1) sleep((unsigned)atoi(argv[1]));
  return 7;
}
