// A daemon started as root that leaves root for user and group 65534 (nobody), as
// nginx's and Apache's workers do: `setuid` by setgid() and setuid(), `setresuid` by
// setresgid() and setresuid(). It keeps a block from before the switch and one from
// after, waits for a periodic snapshot (HEAPDRIFT_INTERVAL is short), and exits 0.
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "site.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  void* before = malloc(1 << 20);  // a block of the sampling interval or more: a sample
  hd_escape(before);
  if (strcmp(argv[1], "setuid") == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) return 4;
  } else if (strcmp(argv[1], "setresuid") == 0) {
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) return 4;
  } else {
    return 2;
  }
  void* after = malloc(1 << 20);
  hd_escape(after);
  const timespec wait = {0, 400 * 1000 * 1000};
  nanosleep(&wait, nullptr);
  printf("pid %d\nuid %d\n", static_cast<int>(getpid()), static_cast<int>(geteuid()));
  return 0;
}
