// exit_program MODE: keeps 10 blocks of 4321 bytes from the site `kept`, then exits
// with exit(0) in one of two ways. `signal`: from a SIGTERM handler, which interrupted
// no allocation. `locked`: holding the lock of locked_allocator (preloaded behind the
// shim), as a handler that interrupted malloc would.
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

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
  } else if (strcmp(argv[1], "locked") == 0) {
    auto hold = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "locked_allocator_hold"));
    if (!hold) return 3;
    hold();
    exit(0);
  }
  return 4;
}
