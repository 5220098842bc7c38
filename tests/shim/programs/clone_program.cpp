// clone_program: makes a child with the raw clone system call (SIGCHLD only, as fork
// would, but without fork's handlers), which allocates and calls exit(), running the
// shim's exit handler as a copy of this process. Prints `child <pid> <status>`, then
// exits with exit(). (A vfork child that calls exit() is no case to test: it runs,
// and so takes off the list, the exit handlers of the parent, whose memory it shares.)
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "site.h"

namespace {

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main() {
  void* p = malloc(100000);
  hd_escape(p);
  fflush(stdout);  // so that no child flushes it again on exit()
  pid_t child = static_cast<pid_t>(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
  if (child == 0) {
    hd_escape(malloc(200000));
    exit(0);
  }
  printf("child %d %d\n", static_cast<int>(child), wait_for(child));
  free(p);
  return 0;
}
