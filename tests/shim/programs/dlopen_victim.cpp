// dlopen_victim: the shared library dlopen_program loads and unloads in a loop. It
// allocates in its constructor (run by dlopen under the loader's lock, so the shim
// unwinds while that lock is held) and in victim_work(), and frees in its destructor.
#include <cstdlib>
#include <cstring>

namespace {

void* g_state;

__attribute__((constructor)) void victim_load() {
  g_state = malloc(4096);
  memset(g_state, 1, 4096);
}

__attribute__((destructor)) void victim_unload() { free(g_state); }

}  // namespace

extern "C" __attribute__((visibility("default"))) int victim_work(int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) {
    char* p = new char[32 + i];
    p[0] = static_cast<char>(i);
    sum += p[0];
    delete[] p;
    void* q = malloc(64);
    sum += q != nullptr;
    free(q);
  }
  return sum;
}
