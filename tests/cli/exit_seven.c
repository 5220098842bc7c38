/* A program that allocates, sleeps SECONDS (if given) and exits with status 7, built
   twice: dynamically linked and statically linked, to see which `heapdrift record` can
   reach, and to run alone in a chroot. Given a directory JAIL as well, it first changes
   its root to it, as a daemon may, and creates /chrooted there to say so. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  char* p = malloc(4096);
  if (!p) return 1;
  memset(p, 1, 4096);
  free(p);
  if (argc > 2) {
    if (chroot(argv[2]) != 0 || chdir("/") != 0) return 2;
    int fd = open("/chrooted", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return 3;
    close(fd);
  }
  if (argc > 1) sleep((unsigned)atoi(argv[1]));
  return 7;
}
