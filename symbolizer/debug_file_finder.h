// Where an ELF object's files are on this machine, searched the way gdb and perf do,
// and which of the files found may be trusted.
//
// The object itself is `sysroot + path`. Its debug information is in the object, or in
// a separate file found by build-id (`<root>/.build-id/ab/cdef....debug` for each debug
// root) or by its .gnu_debuglink name (next to the object, in its `.debug/`, and in
// `<root>/<the object's directory>/`). The debug roots are the user's `debug_dirs`,
// then `sysroot/usr/lib/debug`, then `/usr/lib/debug`.
//
// A candidate is trusted only when it carries the build-id the snapshot recorded
// (or, when nobody has a build-id, when its CRC matches the debuglink's): a file that
// is merely at the right path may come from another build, and symbolizing through it
// would put wrong names on frames without anyone noticing.
#ifndef HEAPDRIFT_SYMBOLIZER_DEBUG_FILE_FINDER_H
#define HEAPDRIFT_SYMBOLIZER_DEBUG_FILE_FINDER_H

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace heapdrift::symbolizer {

struct DebugLink {
  std::string name;  // as recorded in .gnu_debuglink (a file name, no directory)
  uint32_t crc = 0;
};

class DebugFileFinder {
 public:
  // `sysroot` "" for none; `debug_roots` absolute directories, searched in order.
  DebugFileFinder(std::string sysroot, std::vector<std::string> debug_roots);

  const std::string& sysroot() const { return sysroot_; }
  const std::vector<std::string>& debug_roots() const { return debug_roots_; }

  // Where the object recorded as `module_path` is on this machine.
  std::string on_disk(const std::string& module_path) const;

  // `<root>/.build-id/xx/rest.debug` (debug) or `<root>/.build-id/xx/rest` (the
  // object itself, as some distributions link it), for each root.
  std::vector<std::string> build_id_candidates(std::span<const uint8_t> build_id,
                                               bool debug) const;
  // Where the debuglink name may be, for the object recorded as `module_path` and
  // read from `file_on_disk`.
  std::vector<std::string> debuglink_candidates(const std::string& module_path,
                                                const std::string& file_on_disk,
                                                const std::string& link_name) const;

  // The first trusted build-id candidate. Candidates that exist but fail the check
  // are described in *rejected.
  std::optional<std::string> find_by_build_id(std::span<const uint8_t> build_id, bool debug,
                                              std::vector<std::string>* rejected) const;

  // The separate debug file of an object: by build-id, then by debuglink (when the
  // object has one). `build_id` is the one the object must have (empty: unknown).
  std::optional<std::string> find_debug_file(const std::string& module_path,
                                             const std::string& file_on_disk,
                                             std::span<const uint8_t> build_id,
                                             const std::optional<DebugLink>& link,
                                             std::vector<std::string>* rejected) const;

 private:
  std::string sysroot_;
  std::vector<std::string> debug_roots_;
};

// Whether `path` is an ELF file carrying `build_id` (when non-empty), else whether
// its CRC-32 is `crc` (when non-zero), else just whether it is an ELF file. On
// failure *why says what was wrong.
bool verify_file(const std::string& path, std::span<const uint8_t> build_id,
                 std::optional<uint32_t> crc, std::string* why);

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_DEBUG_FILE_FINDER_H
