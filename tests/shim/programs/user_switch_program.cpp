// A daemon started as root that leaves root for user and group 65534 (nobody), as
// nginx's and Apache's workers do: `setuid` by setgid() and setuid(), `setresuid` by
// setresgid() and setresuid(). It keeps a block from before the switch and one from
// after, waits for a periodic snapshot (HEAPDRIFT_INTERVAL is short), and exits 0.
// With `fork` after the mode, it then forks a child, as PostgreSQL's postmaster forks a
// backend, which keeps a block of 3 MiB, waits for a snapshot too, and exits 0.
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "site.h"

namespace {

void keep_and_wait(size_t bytes) {
  void* block = malloc(bytes);  // of the sampling interval or more: a sample
  hd_escape(block);
  const timespec wait = {0, 400 * 1000 * 1000};
  nanosleep(&wait, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  void* before = malloc(1 << 20);
  hd_escape(before);
  if (strcmp(argv[1], "setuid") == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) return 4;
  } else if (strcmp(argv[1], "setresuid") == 0) {
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) return 4;
  } else {
    return 2;
  }
  keep_and_wait(1 << 20);
  if (argc > 2 && strcmp(argv[2], "fork") == 0) {
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
      keep_and_wait(3 << 20);
      exit(0);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 5;
    printf("child %d\n", static_cast<int>(child));
  }
  printf("pid %d\nuid %d\n", static_cast<int>(getpid()), static_cast<int>(geteuid()));
  return 0;
}
