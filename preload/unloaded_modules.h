// The modules that dlclose unloaded while the process ran, kept for its snapshots.
// A block allocated by a library that is gone since (a JNI library whose class loader
// was collected, a plugin) stays live with return addresses into code that no longer
// exists; without the module's path, load bias and build-id the analyzer could not
// name them, and would give them the name of whatever is loaded at those addresses
// now. Each module is kept with the time it left (CLOCK_MONOTONIC, the clock of a
// sample's allocation time): the analyzer names a frame by the module that held its
// address when the block was allocated (docs/FORMAT.md, "Unloaded modules").
//
// dlclose (dlclose.cpp) records here, the writer thread copies; no allocation path
// takes the mutex. At most kMax modules are kept: a library that is loaded and
// unloaded again where it was (the usual case of a loop) takes one entry, its time
// moved on; past kMax, departures are counted and dropped.
#ifndef HEAPDRIFT_PRELOAD_UNLOADED_MODULES_H
#define HEAPDRIFT_PRELOAD_UNLOADED_MODULES_H

#include <pthread.h>

#include <cstdint>
#include <vector>

#include "module_map.h"

namespace heapdrift {

struct UnloadedModule {
  Module module;
  uint64_t unloaded_mono_ns;
};

class UnloadedModules {
 public:
  static constexpr size_t kMax = 512;

  // `before` and `after` are the loaded modules around a dlclose that returned at
  // `mono_ns`: those of `before` that `after` lacks left then. True if any did.
  bool record(const std::vector<Module>& before, const std::vector<Module>& after, uint64_t mono_ns);

  std::vector<UnloadedModule> copy();
  uint64_t dropped();

  // fork: the child keeps the list (its code left the child's address space too).
  void prepare_fork() { pthread_mutex_lock(&mutex_); }
  void parent_after_fork() { pthread_mutex_unlock(&mutex_); }
  void child_after_fork() { pthread_mutex_init(&mutex_, nullptr); }

 private:
  void add(const Module& m, uint64_t mono_ns);

  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
  std::vector<UnloadedModule> entries_;
  uint64_t dropped_ = 0;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_UNLOADED_MODULES_H
