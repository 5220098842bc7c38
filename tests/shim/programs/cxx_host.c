/* cxx_host: a C program, with no C++ runtime of its own, that dlopens a C++ library
 * RTLD_LOCAL (as Python loads an extension module) and runs it. It prints whether a
 * C++ runtime was loaded before that dlopen; the library prints the rest. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

static int note_cxx_runtime(struct dl_phdr_info* info, size_t size, void* found) {
  (void)size;
  if (strstr(info->dlpi_name, "libstdc++") || strstr(info->dlpi_name, "libc++")) *(int*)found = 1;
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: cxx_host LIBRARY\n");
    return 2;
  }
  int before = 0;
  dl_iterate_phdr(note_cxx_runtime, &before);
  printf("runtime_before_dlopen %d\n", before);
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "cxx_host: %s\n", dlerror());
    return 2;
  }
  int (*run)(FILE*) = (int (*)(FILE*))dlsym(library, "cxx_plugin_run");
  if (!run) {
    fprintf(stderr, "cxx_host: no cxx_plugin_run in %s\n", argv[1]);
    return 2;
  }
  return run(stdout);
}
