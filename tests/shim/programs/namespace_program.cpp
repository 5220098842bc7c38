// namespace_program MODE: a namespace change that the kernel allows only a process with
// one thread, made under the shim, whose writer thread is a second one.
//   user       unshare(CLONE_NEWUSER), as `unshare -U` does
//   mount      setns into its own mount namespace (root), as `nsenter -m` does
//   fork_user  a forked child makes the unshare at once, while its new writer thread
//              may still be starting, and exits (exit()) with 0 when it succeeded
//   cancelled  a second thread, with a cancellation request pending, makes the unshare
//              (which fails: the process has other threads), prints `returned 1` after
//              it, and is cancelled at its next cancellation point
// Prints `change <result> <errno>`, then (user, mount) asks the shim for a snapshot
// through the FIFO, as `heapdrift snapshot` would, and prints `snapshot <number>` (0:
// no answer); fork_user prints `child <pid> <status>`. Then exits with exit().
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "self_snapshot.h"
#include "site.h"

namespace {

int g_result, g_error;

void* cancelled_thread(void*) {
  pthread_cancel(pthread_self());
  g_result = unshare(CLONE_NEWUSER);
  g_error = errno;
  printf("returned 1\n");
  pthread_testcancel();
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  void* p = malloc(1000);
  hd_escape(p);
  shimtest::SelfSnapshot snapshots;
  if (!snapshots.init()) return 3;
  int result = 0, error = 0;
  if (strcmp(argv[1], "user") == 0) {
    result = unshare(CLONE_NEWUSER);
    error = errno;
  } else if (strcmp(argv[1], "mount") == 0) {
    int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    result = setns(fd, CLONE_NEWNS);
    error = errno;
    close(fd);
  } else if (strcmp(argv[1], "cancelled") == 0) {
    pthread_t thread;
    void* how = nullptr;
    if (pthread_create(&thread, nullptr, cancelled_thread, nullptr) != 0 || pthread_join(thread, &how) != 0) return 3;
    if (how != PTHREAD_CANCELED) return 4;
    result = g_result;
    error = g_error;
  } else if (strcmp(argv[1], "fork_user") == 0) {
    pid_t child = fork();
    if (child == 0) exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 10);
    int status = 0;
    waitpid(child, &status, 0);
    printf("child %d %d\n", static_cast<int>(child), WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  } else {
    return 2;
  }
  printf("change %d %s\n", result, result == 0 ? "0" : strerror(error));
  if (strcmp(argv[1], "fork_user") != 0) printf("snapshot %u\n", snapshots.take(10));
  free(p);
  return 0;
}
