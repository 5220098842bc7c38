// exec_program: asks for two snapshots of itself, then execs itself (same pid, as a
// wrapper script's `exec java ...` does) with argument `after`; the new image, whose
// shim starts afresh with LD_PRELOAD inherited, allocates, asks for one snapshot and
// exits normally, which writes its exit snapshot into the same DIR/<pid>. exec_test checks that no snapshot
// of the first image is lost or replaced: FORMAT.md says numbers are not reused.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>

#include "self_snapshot.h"
#include "site.h"

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "after") == 0) {
    void* p = malloc(1234);
    hd_escape(p);
    // Through the FIFO the first image left, which the new shim keeps.
    shimtest::SelfSnapshot snap;
    printf("after_exec %d %u\n", static_cast<int>(getpid()), snap.init() ? snap.take() : 0);
    return 0;
  }
  shimtest::SelfSnapshot snap;
  if (!snap.init()) {
    fprintf(stderr, "exec_program: HEAPDRIFT_OUTPUT must be an absolute directory\n");
    return 2;
  }
  unsigned first = snap.take();
  unsigned second = snap.take();
  printf("before_exec %d %u %u\n", static_cast<int>(getpid()), first, second);
  fflush(stdout);
  execl("/proc/self/exe", argv[0], "after", static_cast<char*>(nullptr));
  perror("execl");
  return 3;
}
