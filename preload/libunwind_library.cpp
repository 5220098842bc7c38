#include "libunwind_library.h"

#include <dlfcn.h>
#include <pthread.h>

namespace heapdrift {
namespace {

// The symbol behind one of libunwind.h's names: unw_init_local is _ULx86_64_init_local.
#define HEAPDRIFT_NAME_OF(f) HEAPDRIFT_NAME_OF_EXPANDED(f)
#define HEAPDRIFT_NAME_OF_EXPANDED(f) #f

Libunwind g_libunwind;
const Libunwind* g_found = nullptr;
const char* g_error = "";

template <typename T>
bool find(void* scope, const char* name, T* out) {
  *out = reinterpret_cast<T>(dlsym(scope, name));
  return *out != nullptr;
}

bool find_all(void* scope, Libunwind* l) {
  return find(scope, HEAPDRIFT_NAME_OF(unw_tdep_getcontext), &l->getcontext) &&
         find(scope, HEAPDRIFT_NAME_OF(unw_init_local), &l->init_local) &&
         find(scope, HEAPDRIFT_NAME_OF(unw_step), &l->step) &&
         find(scope, HEAPDRIFT_NAME_OF(unw_get_reg), &l->get_reg) &&
         find(scope, HEAPDRIFT_NAME_OF(unw_get_save_loc), &l->get_save_loc) &&
         find(scope, HEAPDRIFT_NAME_OF(unw_is_signal_frame), &l->is_signal_frame) &&
         find(scope, HEAPDRIFT_NAME_OF(unw_set_caching_policy), &l->set_caching_policy) &&
         find(scope, "unw_backtrace", &l->backtrace) &&
         find(scope, HEAPDRIFT_NAME_OF(unw_local_addr_space), &l->local_addr_space);
}

void load() {
  // The program's own libunwind, where it has one in its global scope: one libunwind
  // per process, as when the shim linked it.
  if (find_all(RTLD_DEFAULT, &g_libunwind)) {
    g_found = &g_libunwind;
    return;
  }
  void* handle = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    g_error = "libunwind.so.8 cannot be loaded";
    return;
  }
  if (!find_all(handle, &g_libunwind)) {
    g_error = "libunwind.so.8 lacks a function heapdrift uses";
    return;
  }
  g_found = &g_libunwind;
}

}  // namespace

const Libunwind* libunwind() {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, load);
  return g_found;
}

const char* libunwind_error() { return g_error; }

}  // namespace heapdrift
