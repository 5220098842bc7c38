// dlopen_fork_program PLUGIN: once the shim's writer thread is up, loads PLUGIN
// (fork_plugin.cpp), whose constructor forks while a snapshot is written.
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const timespec start_up = {0, 100 * 1000 * 1000};
  nanosleep(&start_up, nullptr);
  if (!dlopen(argv[1], RTLD_NOW)) {
    fprintf(stderr, "%s\n", dlerror());
    return 3;
  }
  // Time for the snapshot asked for, which the writer takes once the constructor has
  // returned, to be written before the exit snapshot.
  nanosleep(&start_up, nullptr);
  return 0;
}
