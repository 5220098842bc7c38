// libunloadleak.so: loaded by UnloadPlugin (tests/e2e/java/plugin) through its own class
// loader; its JNI_OnLoad keeps 64 blocks of 64 KiB that nothing frees, and the JVM
// unloads the library (dlclose) once that class loader is collected: a leak whose code
// is gone. No jni.h: JNI_OnLoad only needs the version it returns.
#include <cstdlib>
#include <cstring>

namespace {

void* g_blocks[64];

__attribute__((noinline)) void unload_leak_retain() {
  for (void*& b : g_blocks) {
    b = malloc(64 * 1024);
    if (b) memset(b, 7, 64 * 1024);
  }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int JNI_OnLoad(void*, void*) {
  unload_leak_retain();
  return 0x00010008;  // JNI_VERSION_1_8
}
