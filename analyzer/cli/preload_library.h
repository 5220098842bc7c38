// Where `heapdrift` finds the shim it preloads (and the JVM's JIT recorder): next to
// itself in a build tree, or under ../lib/heapdrift once installed (cmake --install).
#ifndef HEAPDRIFT_ANALYZER_CLI_PRELOAD_LIBRARY_H
#define HEAPDRIFT_ANALYZER_CLI_PRELOAD_LIBRARY_H

#include <filesystem>
#include <string>

namespace heapdrift::cli {

// The absolute path of one of heapdrift's libraries (libheapdrift.so, the shim;
// libheapdrift_jvmti.so, the JIT recorder); throws std::runtime_error naming the
// places looked in when there is none.
std::filesystem::path find_library(const std::string& name);

// LD_PRELOAD for the child: `library` in front of `previous` (which may be empty).
std::string prepend_preload(const std::filesystem::path& library, const std::string& previous);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_PRELOAD_LIBRARY_H
