#include "zstd_library.h"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>

namespace heapdrift {
namespace {

Zstd g_zstd;
std::atomic<const Zstd*> g_found{nullptr};

template <typename T>
bool find(void* handle, const char* name, T* out) {
  *out = reinterpret_cast<T>(dlsym(handle, name));
  return *out != nullptr;
}

void load() {
  void* handle = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return;
  unsigned (*version)() = nullptr;
  if (!find(handle, "ZSTD_versionNumber", &version) || version() < 10400) return;
  Zstd& z = g_zstd;
  if (find(handle, "ZSTD_getCParams", &z.get_cparams) &&
      find(handle, "ZSTD_estimateCStreamSize_usingCParams", &z.estimate_cstream_size) &&
      find(handle, "ZSTD_initStaticCCtx", &z.init_static_cctx) &&
      find(handle, "ZSTD_CCtx_setParameter", &z.set_parameter) &&
      find(handle, "ZSTD_compressStream2", &z.compress_stream2) && find(handle, "ZSTD_isError", &z.is_error)) {
    g_found.store(&z, std::memory_order_release);
  }
}

}  // namespace

const Zstd* zstd() {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, load);
  return loaded_zstd();
}

const Zstd* loaded_zstd() { return g_found.load(std::memory_order_acquire); }

}  // namespace heapdrift
