// spawn_program CHILD N: while 3 threads allocate and free, starts N times each
// /bin/true and CHILD with posix_spawn (as the JDK's Runtime.exec does through
// jspawnhelper) and with vfork + execve, waiting for each.
//
// posix_spawn and vfork children share the parent's memory until exec and run no
// atfork handler: nothing of the shim may hang or corrupt there, and after exec the
// inherited LD_PRELOAD starts a fresh shim that writes DIR/<child pid>. Prints
// `spawned <kind> <pid> <exit status>` per child.
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "site.h"

extern char** environ;

namespace {

std::atomic<bool> g_stop{false};

void* worker(void* arg) {
  void* ring[32] = {};
  unsigned long n = reinterpret_cast<unsigned long>(arg);
  while (!g_stop.load(std::memory_order_relaxed)) {
    free(ring[n % 32]);
    ring[n % 32] = malloc(32 + (n * 29) % 900);
    hd_escape(ring[n % 32]);
    ++n;
  }
  for (void* p : ring) free(p);
  return nullptr;
}

struct Spawned {
  const char* kind;
  pid_t pid;
  int status;
} g_spawned[4000];
int g_count;

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void with_posix_spawn(const char* kind, char* const argv[]) {
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ);
  g_spawned[g_count++] = {kind, pid, rc == 0 ? wait_for(pid) : 1000 + rc};
}

void with_vfork(const char* kind, char* const argv[]) {
  pid_t pid = vfork();
  if (pid == 0) {
    execve(argv[0], argv, environ);
    _exit(127);
  }
  g_spawned[g_count++] = {kind, pid, pid > 0 ? wait_for(pid) : 2000};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || atoi(argv[2]) < 1 || atoi(argv[2]) > 1000) {
    fprintf(stderr, "usage: spawn_program CHILD N\n");
    return 2;
  }
  const int n = atoi(argv[2]);
  char true_path[] = "/bin/true";
  char* true_argv[] = {true_path, nullptr};
  char* child_argv[] = {argv[1], nullptr};

  pthread_t workers[3];
  for (unsigned long i = 0; i < 3; ++i) {
    pthread_create(&workers[i], nullptr, worker, reinterpret_cast<void*>(i * 100));
  }
  for (int i = 0; i < n; ++i) {
    with_posix_spawn("posix_spawn:true", true_argv);
    with_posix_spawn("posix_spawn:child", child_argv);
    with_vfork("vfork:true", true_argv);
    with_vfork("vfork:child", child_argv);
  }
  g_stop = true;
  for (pthread_t t : workers) pthread_join(t, nullptr);

  printf("pid %d\n", static_cast<int>(getpid()));
  for (int i = 0; i < g_count; ++i) {
    printf("spawned %s %d %d\n", g_spawned[i].kind, static_cast<int>(g_spawned[i].pid), g_spawned[i].status);
  }
  return 0;
}
