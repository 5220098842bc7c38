// unload_program PLUGIN_A PLUGIN_B: keeps 20 blocks allocated by plugin A, unloads A,
// loads plugin B (which the loader puts where A was), keeps 20 blocks from B, and asks
// for a snapshot. Prints the snapshot's number, both libraries' load addresses and
// whether B took A's. With PLUGIN_B "-", loads no B: nothing is where A was.
#include <dlfcn.h>
#include <link.h>

#include <cstdio>
#include <cstring>

#include "self_snapshot.h"

namespace {

using Keep = void* (*)(size_t);

// Loads `path`, keeps 20 blocks from its `symbol`, and returns the handle.
void* load_and_keep(const char* path, const char* symbol, void** blocks, uintptr_t* base) {
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) return nullptr;
  auto keep = reinterpret_cast<Keep>(dlsym(handle, symbol));
  link_map* map = nullptr;
  if (!keep || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) return nullptr;
  *base = map->l_addr;
  for (int i = 0; i < 20; ++i) blocks[i] = keep(1000 + i);
  return handle;
}

}  // namespace

int main(int argc, char** argv) {
  shimtest::SelfSnapshot snap;
  if (argc != 3 || !snap.init()) {
    fprintf(stderr, "usage: unload_program PLUGIN_A PLUGIN_B (with HEAPDRIFT_OUTPUT absolute)\n");
    return 2;
  }
  static void* from_a[20];
  static void* from_b[20];
  uintptr_t base_a = 0, base_b = 0;
  void* a = load_and_keep(argv[1], "a_plugin_keep", from_a, &base_a);
  if (!a || dlclose(a) != 0) {
    fprintf(stderr, "unload_program: plugin A: %s\n", dlerror());
    return 2;
  }
  if (strcmp(argv[2], "-") != 0 && !load_and_keep(argv[2], "b_plugin_keep", from_b, &base_b)) {
    fprintf(stderr, "unload_program: plugin B: %s\n", dlerror());
    return 2;
  }
  unsigned n = snap.take();
  printf("snapshot %u\n", n);
  printf("base_a %#lx\nbase_b %#lx\n", static_cast<unsigned long>(base_a), static_cast<unsigned long>(base_b));
  printf("reused %d\n", base_a == base_b);
  return n ? 0 : 3;
}
