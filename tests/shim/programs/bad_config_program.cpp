// bad_config_program: an ordinary program that allocates (C and C++, a thread, a fork),
// prints a known text and exits with status 3. bad_config_test runs it with the shim
// misconfigured: it must behave exactly as without the shim (same output, same
// status), because the shim never takes its host down.
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

void* work(void*) {
  std::vector<std::string> v;
  for (int i = 0; i < 1000; ++i) v.push_back(std::string(50, 'x') + std::to_string(i));
  return reinterpret_cast<void*>(v.size());
}

}  // namespace

int main() {
  pthread_t t;
  void* result = nullptr;
  pthread_create(&t, nullptr, work, nullptr);
  pthread_join(t, &result);
  char* block = static_cast<char*>(malloc(1 << 20));
  block[0] = 'a';
  block = static_cast<char*>(realloc(block, 2 << 20));
  free(block);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    free(malloc(100));
    exit(7);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("thread made %lu strings\n", reinterpret_cast<unsigned long>(result));
  printf("child exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 3;
}
