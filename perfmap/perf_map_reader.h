// Reads perf maps, /tmp/perf-<pid>.map: one "START SIZE name" line per piece of code,
// START and SIZE in hex with or without "0x" (perf-map-agent writes "7f12ab 1c0 name",
// the JDK "0x00007f12ab... 0x...1c0 void pkg.Class.method(int)", names with spaces).
// Lines that do not parse are reported with their number and skipped; blank lines and
// empty ranges are skipped silently. Entries are kept in file order: when ranges
// overlap, the later line is the newer code (jit_code_map.h decides what that means).
#ifndef HEAPDRIFT_PERFMAP_PERF_MAP_READER_H
#define HEAPDRIFT_PERFMAP_PERF_MAP_READER_H

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "read_error.h"

namespace heapdrift::perfmap {

struct PerfMapEntry {
  uint64_t start = 0;
  uint64_t size = 0;
  std::string name;
  uint32_t line = 0;  // 1-based line number in the file
  bool operator==(const PerfMapEntry&) const = default;
};

struct PerfMap {
  std::vector<PerfMapEntry> entries;  // in file order
  size_t malformed_lines = 0;
  // "<file>:<line>: <problem>", one per malformed line up to kMaxLineWarnings, then one
  // line that counts the rest.
  std::vector<std::string> warnings;
  static constexpr size_t kMaxLineWarnings = 10;
};

// Throws ReadError if the file cannot be read.
PerfMap read_perf_map(const std::filesystem::path& path);

// The file's text, unparsed (for files that carry perf-map lines among others); throws
// ReadError as read_perf_map does.
std::string read_perf_map_text(const std::filesystem::path& path);

// The same for text already in memory; `name` stands for the file in warnings, whose
// line numbers start at `first_line` (the text may be a part of a file).
PerfMap parse_perf_map(std::string_view text, std::string_view name, uint32_t first_line = 1);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_PERF_MAP_READER_H
