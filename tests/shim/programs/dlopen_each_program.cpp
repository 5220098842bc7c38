// dlopen_each_program LIBRARY...: once the shim's writer thread is up, loads each
// LIBRARY in turn. The constructors of the last do the test's work inside dlopen, where
// the loader's lock is held: fork_plugin forks while a snapshot is written, exit_plugin
// exits.
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char** argv) {
  const timespec start_up = {0, 100 * 1000 * 1000};
  nanosleep(&start_up, nullptr);
  for (int i = 1; i < argc; ++i) {
    if (!dlopen(argv[i], RTLD_NOW)) {
      fprintf(stderr, "%s\n", dlerror());
      return 3;
    }
  }
  // Time for a snapshot asked for to be written before the exit snapshot, which
  // would otherwise take its place.
  nanosleep(&start_up, nullptr);
  return 0;
}
