// Appends lines to a perf map (/tmp/perf-<pid>.map: "START SIZE name", hex, the format
// Linux perf reads) through a fixed buffer and write(2), without allocating: it runs
// inside the target JVM. Lines go out in the order code appears, so a later line for
// the same range describes newer code.
//
// NB: not thread-safe; the agent serialises it with the JIT log.
#ifndef HEAPDRIFT_PERFMAP_PERF_MAP_WRITER_H
#define HEAPDRIFT_PERFMAP_PERF_MAP_WRITER_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "buffered_fd.h"

namespace heapdrift::perfmap {

class PerfMapWriter {
 public:
  explicit PerfMapWriter(int fd = -1) : out_(fd) {}

  void reset(int fd) { out_.reset(fd); }
  int error() const { return out_.error(); }  // errno of the first failed write(2), else 0
  bool flush() { return out_.flush(); }

  // One line; the name is the concatenation of `name_parts`. Line breaks in a name
  // become spaces, so that no name can break the line structure.
  void entry(uint64_t start, uint64_t size, std::initializer_list<std::string_view> name_parts);

 private:
  void put_hex(uint64_t v);

  BufferedFd<16 * 1024> out_;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_PERF_MAP_WRITER_H
