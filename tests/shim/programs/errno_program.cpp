// errno_program: sets errno to a value no function sets before each successful call of
// every allocation entry point, and checks it after. The calls run on the main thread,
// through call chains new to the unwinder (each of depth 0-15 its own code), on fresh
// threads (whose first call attaches them to the shim) and in a fork child (after the
// shim's child handler ran). Prints `changed <entry> <times>` for every entry point that
// changed errno, `checked <calls>`, and `enomem <errno>` for a malloc too big to succeed.
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <new>

#include "site.h"

namespace {

constexpr int kMark = 12345;  // no function sets this errno
constexpr int kEntries = 18;
const char* const kNames[kEntries] = {
    "malloc",        "calloc",  "realloc_null", "realloc_grow",   "realloc_shrink", "reallocarray",
    "posix_memalign", "aligned_alloc", "memalign", "valloc",       "pvalloc",        "free",
    "new",           "delete",  "new_array",    "delete_array",   "new_aligned",    "delete_aligned"};
int g_changed[kEntries];  // per entry point; threads take turns, never run together
long g_checked = 0;

// Runs `call` with errno set to kMark and counts the entry point when errno moved.
template <class Call>
void check(int entry, Call call) {
  errno = kMark;
  call();
  if (errno != kMark) ++g_changed[entry];
  ++g_checked;
}

void every_entry_point() {
  void* p = nullptr;
  check(0, [&] { p = malloc(100); });
  check(11, [&] { free(p); });
  check(1, [&] { p = calloc(3, 40); });
  check(3, [&] { p = realloc(p, 5000); });
  check(4, [&] { p = realloc(p, 50); });
  check(5, [&] { p = reallocarray(p, 7, 70); });
  check(11, [&] { free(p); });
  check(2, [&] { p = realloc(nullptr, 60); });
  check(11, [&] { free(p); });
  check(6, [&] { posix_memalign(&p, 64, 200); });
  check(11, [&] { free(p); });
  check(7, [&] { p = aligned_alloc(128, 256); });
  check(11, [&] { free(p); });
  check(8, [&] { p = memalign(256, 300); });
  check(11, [&] { free(p); });
  check(9, [&] { p = valloc(400); });
  check(11, [&] { free(p); });
  check(10, [&] { p = pvalloc(500); });
  check(11, [&] { free(p); });
  int* one = nullptr;
  check(12, [&] { one = new int(7); });
  check(13, [&] { delete one; });
  char* many = nullptr;
  check(14, [&] { many = new char[900]; });
  check(15, [&] { delete[] many; });
  void* aligned = nullptr;
  check(16, [&] { aligned = operator new(600, std::align_val_t{64}); });
  check(17, [&] { operator delete(aligned, std::align_val_t{64}); });
}

// Depth N of a chain: code of its own at every depth, so every sample's walk meets a
// return address it has not seen before, at least once.
template <int N>
__attribute__((noinline)) void chain() {
  if constexpr (N == 0) {
    every_entry_point();
  } else {
    chain<N - 1>();
    every_entry_point();
  }
  hd_escape(nullptr);
}

void* thread_body(void*) {
  chain<15>();
  return nullptr;
}

}  // namespace

int main() {
  chain<15>();
  for (int i = 0; i < 4; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, thread_body, nullptr) != 0 || pthread_join(thread, nullptr) != 0) return 2;
  }
  fflush(stdout);
  errno = kMark;
  pid_t child = fork();
  if (child == 0) {
    // The child's errno after fork, then its own calls: its exit status says whether
    // any of them changed errno.
    bool kept = errno == kMark;
    int before = 0, after = 0;
    for (int n : g_changed) before += n;
    chain<15>();
    for (int n : g_changed) after += n;
    _exit(kept && after == before ? 0 : 1);
  }
  if (child < 0) return 2;
  if (errno != kMark) printf("changed fork_parent 1\n");
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 2;
  if (WEXITSTATUS(status) != 0) printf("changed fork_child 1\n");

  for (int i = 0; i < kEntries; ++i) {
    if (g_changed[i]) printf("changed %s %d\n", kNames[i], g_changed[i]);
  }
  printf("checked %ld\n", g_checked);
  errno = kMark;
  void* huge = malloc(SIZE_MAX / 2);
  printf("enomem %d\n", huge ? 0 : errno);
  return 0;
}
