// fork_program MODE FORKS: 4 threads allocate and free in a tight loop while the main
// thread forks FORKS times, waiting for each child. MODE `exit`: each child starts a
// thread that allocates and frees, joins it, keeps 10 blocks of 777 bytes live at site
// `child` and calls exit(), so its shim writes an exit snapshot into DIR/<child pid>.
// MODE `_exit`: each child calls _exit(0) at once.
//
// It checks that fork under the shim never deadlocks (the shim's atfork handlers take
// its locks while other threads hold or want them) and that each child's shim starts
// clean: its own directory, its own pid and ppid, counters from zero, only its own
// samples. Prints `parent_allocs_before_fork <n>` (allocations the workers had made
// before the first fork) and one `child <pid> <exit status>` line per fork.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "site.h"

HD_DECLARE_SITE(child);

namespace {

std::atomic<bool> g_stop{false};
std::atomic<unsigned long> g_worker_allocs{0};
void* g_child_blocks[10];

void* worker(void* arg) {
  void* ring[64] = {};
  unsigned long n = reinterpret_cast<unsigned long>(arg);
  while (!g_stop.load(std::memory_order_relaxed)) {
    size_t i = n % 64;
    free(ring[i]);
    ring[i] = malloc(16 + (n * 37) % 1000);
    hd_escape(ring[i]);
    ++n;
    g_worker_allocs.fetch_add(1, std::memory_order_relaxed);
  }
  for (void* p : ring) free(p);
  return nullptr;
}

void* child_thread(void*) {
  for (int i = 0; i < 100; ++i) {
    void* p = malloc(100 + i);
    hd_escape(p);
    free(p);
  }
  return nullptr;
}

HD_SITE(child) void child_keeps_blocks() {
  for (void*& p : g_child_blocks) {
    p = malloc(777);
    hd_escape(p);
  }
}

[[noreturn]] void run_child() {
  pthread_t t;
  if (pthread_create(&t, nullptr, child_thread, nullptr) != 0) _exit(10);
  pthread_join(t, nullptr);
  child_keeps_blocks();
  exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[1], "exit") != 0 && strcmp(argv[1], "_exit") != 0)) {
    fprintf(stderr, "usage: fork_program exit|_exit FORKS\n");
    return 2;
  }
  const bool quick_exit = strcmp(argv[1], "_exit") == 0;
  const int forks = atoi(argv[2]);
  static pid_t children[10000];
  static int statuses[10000];
  if (forks < 1 || forks > 10000) return 2;

  pthread_t workers[4];
  for (unsigned long i = 0; i < 4; ++i) {
    pthread_create(&workers[i], nullptr, worker, reinterpret_cast<void*>(i * 1000));
  }
  while (g_worker_allocs.load() < 20000) usleep(1000);  // the workers are in full swing
  const unsigned long before_fork = g_worker_allocs.load();

  fflush(stdout);  // nothing buffered for the children to print again
  for (int i = 0; i < forks; ++i) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 4;
    }
    if (pid == 0) {
      if (quick_exit) _exit(0);
      run_child();
    }
    children[i] = pid;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    statuses[i] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  g_stop = true;
  for (pthread_t t : workers) pthread_join(t, nullptr);
  printf("pid %d\n", static_cast<int>(getpid()));
  HD_PRINT_SITE(stdout, child);
  printf("parent_allocs_before_fork %lu\n", before_fork);
  for (int i = 0; i < forks; ++i) printf("child %d %d\n", static_cast<int>(children[i]), statuses[i]);
  return 0;
}
