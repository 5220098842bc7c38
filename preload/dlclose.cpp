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
#include "thread_state.h"

namespace {

using Dlclose = int (*)(void*);

// The next dlclose (libc's). dlsym, like every dl call, clears a pending dlerror()
// message, and the real call that follows does the same.
Dlclose real_dlclose() {
  static std::atomic<Dlclose> real{nullptr};
  Dlclose fn = real.load(std::memory_order_acquire);
  if (!fn) {
    heapdrift::ReentrancyGuard guard(heapdrift::t_state);
    fn = reinterpret_cast<Dlclose>(dlsym(RTLD_NEXT, "dlclose"));
    real.store(fn, std::memory_order_release);
  }
  return fn;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int dlclose(void* handle) {
  using namespace heapdrift;
  Dlclose fn = real_dlclose();
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
