// A library whose constructor forks while the shim writes a snapshot it asked for
// (dlopen_each_program): the constructor runs inside dlopen, which holds the loader's
// lock, and the fork's handlers take the shim's snapshot lock.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

__attribute__((constructor)) static void ask_for_a_snapshot_then_fork() {
  char control[4096];
  snprintf(control, sizeof(control), "%s/%d/control", getenv("HEAPDRIFT_OUTPUT"), static_cast<int>(getpid()));
  int fd = open(control, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || write(fd, "s", 1) != 1) _exit(4);
  close(fd);
  const timespec writing = {0, 200 * 1000 * 1000};  // the writer is inside the snapshot by then
  nanosleep(&writing, nullptr);
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child) _exit(5);
  printf("forked %d\n", WEXITSTATUS(status));
  fflush(stdout);
}
