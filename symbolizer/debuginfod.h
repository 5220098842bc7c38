// debuginfod, through libdw. heapdrift calls no libdebuginfod API itself: libdw
// (elfutils >= 0.179; Debian 12's libdw1 is built with it) dlopens libdebuginfod.so.1
// when $DEBUGINFOD_URLS is set and non-empty, and its standard callbacks ask the
// servers once the local search found nothing: dwfl_standard_find_debuginfo for debug
// info, dwfl_build_id_find_elf for the object itself. Downloads land in libdebuginfod's
// cache ($DEBUGINFOD_CACHE_PATH, default ~/.cache/debuginfod_client), which also
// remembers misses, and obey $DEBUGINFOD_TIMEOUT etc. (debuginfod-client-config(7)).
// So no -dev package beyond libdw-dev is needed to build, and without $DEBUGINFOD_URLS
// (or without libdebuginfod1 installed) nothing is ever fetched.
#ifndef HEAPDRIFT_SYMBOLIZER_DEBUGINFOD_H
#define HEAPDRIFT_SYMBOLIZER_DEBUGINFOD_H

#include <cstdint>
#include <span>
#include <string>

namespace heapdrift::symbolizer {

// Whether $DEBUGINFOD_URLS names any server.
bool debuginfod_configured();

// Asks libdw for the object with this build-id: the `.build-id` links under the
// debug roots of `debuginfo_path` (dwfl's syntax, see libdwfl.h), then the debuginfod
// servers. Returns an open descriptor (the caller owns it) and its path, or -1.
int find_executable_by_build_id(std::span<const uint8_t> build_id, const std::string& debuginfo_path,
                                std::string* path);

// The path an open descriptor refers to ("" if unknown): debuginfod's answers come
// as descriptors into its cache.
std::string path_of_fd(int fd);

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_DEBUGINFOD_H
