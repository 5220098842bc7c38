// Rebuilds a module map (what the shim records with dl_iterate_phdr) from a process's
// memory mappings alone, for profiles that carry only /proc/self/maps (jemalloc's
// MAPPED_LIBRARIES). Each file-backed mapping path becomes one module; its PT_LOAD
// segments and build-id come from the ELF file on disk, and its load bias from where
// the mapping of a file offset lies. Without a readable ELF file, the segments are the
// mappings themselves and the bias assumes the lowest mapping starts at vaddr = offset
// (true of shared libraries and PIE executables); the build-id stays empty.
#ifndef HEAPDRIFT_ANALYZER_MODULES_FROM_MAPS_H
#define HEAPDRIFT_ANALYZER_MODULES_FROM_MAPS_H

#include <vector>

#include "snapshot.h"

namespace heapdrift {

// Modules in the order their paths first appear in `maps`, for the files with code
// mapped (an executable mapping); pseudo-paths ("[stack]",
// "[vdso]", anonymous) give none.
std::vector<Module> modules_from_maps(const std::vector<Mapping>& maps);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_MODULES_FROM_MAPS_H
