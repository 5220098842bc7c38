#include "preload_library.h"

#include <stdexcept>
#include <system_error>

namespace heapdrift::cli {
namespace fs = std::filesystem;

fs::path find_library(const std::string& name) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find my own executable: /proc/self/exe: " + ec.message());
  const fs::path dir = exe.parent_path();
  // HEAPDRIFT_LIB_FROM_BIN: where `cmake --install` puts the shim, relative to the
  // installed executable (lib/heapdrift, or a multiarch libdir under /usr).
  const fs::path candidates[] = {dir / name, dir / ".." / "lib" / "heapdrift" / name,
                                 dir / HEAPDRIFT_LIB_FROM_BIN / name};
  for (const fs::path& p : candidates) {
    if (!fs::is_regular_file(p, ec)) continue;
    fs::path abs = fs::canonical(p, ec);
    if (ec) continue;
    // The loader splits LD_PRELOAD at spaces and colons, and the JVM splits
    // JAVA_TOOL_OPTIONS at spaces, with no way to quote them.
    if (abs.string().find_first_of(": ") != std::string::npos) {
      throw std::runtime_error(abs.string() +
                               ": the path contains a space or colon, which LD_PRELOAD cannot hold");
    }
    return abs;
  }
  std::string looked;
  for (const fs::path& p : candidates) looked += (looked.empty() ? "" : ", ") + p.lexically_normal().string();
  throw std::runtime_error("cannot find " + name + " (looked for " + looked + ")");
}

std::string prepend_preload(const fs::path& library, const std::string& previous) {
  if (previous.empty()) return library.string();
  return library.string() + ":" + previous;
}

}  // namespace heapdrift::cli
