// spawn_child: what spawn_program execs. It inherits LD_PRELOAD and HEAPDRIFT_*, so
// the shim starts afresh in it and must write its own DIR/<pid>; it allocates a
// little and exits normally so an exit snapshot is written.
#include <cstdlib>
#include <cstring>

#include "site.h"

int main() {
  for (int i = 0; i < 20; ++i) {
    void* p = malloc(1000 + i);
    hd_escape(p);
    if (i % 2) free(p);
  }
  return 0;
}
