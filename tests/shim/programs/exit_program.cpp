// exit_program MODE: keeps 10 blocks of 4321 bytes from the site `kept`, then exits
// with exit(0) in one of three ways. `signal`: from a SIGTERM handler, which
// interrupted no allocation. `locked`: holding the lock of locked_allocator (preloaded
// behind the shim), as a handler that interrupted malloc would. `small_files`: with
// RLIMIT_FSIZE at 512 bytes (less than a snapshot, compressed or not), after a forked
// child that exits at once, its writer thread still starting; prints the child's wait
// status as `child_status N`.
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "site.h"

HD_DECLARE_SITE(kept);

namespace {

void* blocks[10];

HD_SITE(kept) void keep() {
  for (void*& p : blocks) p = malloc(4321);
}

void on_term(int) { exit(0); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  HD_PRINT_SITE(stdout, kept);
  fflush(stdout);
  keep();
  hd_escape(blocks);
  if (strcmp(argv[1], "signal") == 0) {
    signal(SIGTERM, on_term);
    raise(SIGTERM);
  } else if (strcmp(argv[1], "small_files") == 0) {
    rlimit small{512, 512};
    if (setrlimit(RLIMIT_FSIZE, &small) != 0) return 3;
    pid_t child = fork();
    if (child == 0) exit(0);
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) return 3;
    printf("child_status %d\n", status);
    exit(0);
  } else if (strcmp(argv[1], "locked") == 0) {
    auto hold = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "locked_allocator_hold"));
    if (!hold) return 3;
    hold();
    exit(0);
  }
  return 4;
}
