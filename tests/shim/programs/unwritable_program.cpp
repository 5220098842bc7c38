// A process whose snapshots cannot be written: `remove` deletes its own directory of
// the recording before it exits; `fsize` limits its files to 512 bytes (RLIMIT_FSIZE),
// less than a snapshot, compressed or not. Both exit 0; the shim must say on stderr, at
// exit, that the snapshots could not be written, and why.
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "site.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  void* p = malloc(100000);
  hd_escape(p);
  if (strcmp(argv[1], "remove") == 0) {
    const char* out = getenv("HEAPDRIFT_OUTPUT");
    if (!out) return 3;
    std::filesystem::remove_all(std::filesystem::path(out) / std::to_string(getpid()));
  } else if (strcmp(argv[1], "fsize") == 0) {
    const rlimit small = {512, 512};
    if (setrlimit(RLIMIT_FSIZE, &small) != 0) return 4;
  } else {
    return 2;
  }
  free(p);
  printf("done %d\n", static_cast<int>(getpid()));
  return 0;
}
