// dlclose, exported: the modules a call unloads are kept for the snapshots
// (unloaded_modules.h). The loaded modules are listed before the real call, while the
// code and its build-id are still mapped, and again after it. Neither list is taken
// inside the real call: the library's destructors run there, and what they allocate
// and free is the program's, recorded as any other.
#include <dlfcn.h>

#include <atomic>
#include <vector>

#include "errno_kept.h"
#include "lifecycle.h"
#include "module_map.h"
#include "next_definition.h"
#include "thread_state.h"

namespace {

using Dlclose = int (*)(void*);
std::atomic<Dlclose> g_real_dlclose{nullptr};  // the next dlclose (libc's): next_definition.h

}  // namespace

extern "C" __attribute__((visibility("default"))) int dlclose(void* handle) {
  using namespace heapdrift;
  Dlclose fn = next_definition(g_real_dlclose, "dlclose");
  if (!fn) return -1;  // no libc below the shim: cannot happen in a process that runs
  ThreadState& t = t_state;
  if (t.in_shim() || !g_live.load(std::memory_order_acquire)) return fn(handle);
  std::vector<Module> before;
  {
    ReentrancyGuard guard(t);
    ErrnoKept kept;
    before = loaded_modules();
  }
  int rc = fn(handle);
  {
    ReentrancyGuard guard(t);
    ErrnoKept kept;
    if (rc == 0) g_recorder->on_dlclose(before, loaded_modules());
    std::vector<Module>().swap(before);  // freed inside the guard, as it was allocated
  }
  return rc;
}
