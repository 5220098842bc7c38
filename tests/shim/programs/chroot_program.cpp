// chroot_program NEWROOT: a daemon that changes its root after start (root only), then
// allocates 20 blocks of 4321 bytes at the site `after_chroot` and lives on for 400 ms,
// through several periodic snapshots, and exits with exit(). Prints the site and
// `chrooted <CLOCK_MONOTONIC ns>` (as the change was made).
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "site.h"

HD_DECLARE_SITE(after_chroot);

namespace {

HD_SITE(after_chroot) void* allocate() { return malloc(4321); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  hd_escape(malloc(100));
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (chroot(argv[1]) != 0 || chdir("/") != 0) return 3;
  printf("chrooted %lld\n", static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec);
  HD_PRINT_SITE(stdout, after_chroot);
  fflush(stdout);
  void* kept[20];
  for (void*& p : kept) p = allocate();
  hd_escape(kept);
  timespec pause{0, 400 * 1000 * 1000};
  nanosleep(&pause, nullptr);
  return 0;
}
