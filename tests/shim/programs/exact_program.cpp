// exact_program: run under `heapdrift record --sample-rate 1 --interval 0`. Between
// two snapshots it asks for itself, keeps 1000 blocks of 100 bytes live at site `a`
// and makes 500 malloc/free pairs of 200 bytes at site `b`, then prints the counter
// deltas it expects (usable sizes measured here). exact_integration_test checks the
// whole chain, CLI included: the environment `record` sets up reaches the shim, and
// exact mode gives exact live bytes per site and exact counters.
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>

#include "self_snapshot.h"
#include "site.h"

HD_DECLARE_SITE(a);
HD_DECLARE_SITE(b);

namespace {

void* g_kept[1000];
size_t g_usable_a, g_usable_b;

HD_SITE(a) void site_a() {
  for (void*& p : g_kept) {
    p = malloc(100);
    g_usable_a += malloc_usable_size(p);
  }
}

HD_SITE(b) void site_b() {
  for (int i = 0; i < 500; ++i) {
    void* p = malloc(200);
    hd_escape(p);
    g_usable_b += malloc_usable_size(p);
    free(p);
  }
}

}  // namespace

int main() {
  shimtest::SelfSnapshot snap;
  if (!snap.init()) {
    fprintf(stderr, "exact_program: HEAPDRIFT_OUTPUT must be an absolute directory\n");
    return 2;
  }
  unsigned first = snap.take();
  site_a();
  site_b();
  unsigned second = snap.take();
  printf("pid %d\n", static_cast<int>(getpid()));
  HD_PRINT_SITE(stdout, a);
  HD_PRINT_SITE(stdout, b);
  printf("snaps %u %u\n", first, second);
  printf("expect alloc_calls 1500\n");
  printf("expect free_calls 500\n");
  printf("expect alloc_bytes %zu\n", g_usable_a + g_usable_b);
  printf("expect free_bytes %zu\n", g_usable_b);
  return first && second ? 0 : 3;
}
