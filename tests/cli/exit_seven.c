/* A program that allocates and exits with status 7, built twice: dynamically linked
   and statically linked, to see which `heapdrift record` can reach. */
#include <stdlib.h>
#include <string.h>

int main(void) {
  char* p = malloc(4096);
  if (!p) return 1;
  memset(p, 1, 4096);
  free(p);
  return 7;
}
