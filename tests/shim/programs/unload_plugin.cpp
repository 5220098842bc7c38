// unload_plugin: built twice, as libunload_plugin_a.so (PLUGIN=a) and
// libunload_plugin_b.so (PLUGIN=b): two libraries of the same size and layout whose
// functions have different names, so that the second, loaded once the first is
// unloaded, takes the first one's addresses.
#include <cstdlib>
#include <cstring>

#define HD_CAT2(a, b) a##b
#define HD_CAT(a, b) HD_CAT2(a, b)

// The blocks outlive the library: the host keeps them, as a leak would.
extern "C" __attribute__((visibility("default"), noinline)) void* HD_CAT(PLUGIN, _plugin_keep)(size_t size) {
  void* p = malloc(size);
  if (p) memset(p, 1, size);
  return p;
}
