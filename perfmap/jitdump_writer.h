// Writes Linux perf's jitdump (tools/perf/Documentation/jitdump-specification.txt), the
// file `perf inject --jit` turns into ELF images so that `perf report` names JIT code:
// a header, then one JIT_CODE_LOAD record per piece of code with its name and a copy
// of its bytes (taken inside the JVMTI callback, while the code is there).
//
// An export for perf, not heapdrift's own log: jitdump has no unload record and no
// inlining chain, and carries the code bytes (docs/JITLOG.md). Timestamps are
// CLOCK_MONOTONIC, which `perf record -k 1` (or `-k mono`) uses.
//
// For perf to find the file, the process must map it executable: open() does that
// (perf record sees the mapping of a file named jit-<pid>.dump).
//
// NB: not thread-safe; the agent serialises it with the JIT log.
#ifndef HEAPDRIFT_PERFMAP_JITDUMP_WRITER_H
#define HEAPDRIFT_PERFMAP_JITDUMP_WRITER_H

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "buffered_fd.h"

namespace heapdrift::perfmap {

namespace jitdump {
inline constexpr uint32_t kMagic = 0x4A695444;  // "JiTD" as a little-endian u32
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kHeaderSize = 40;
inline constexpr uint32_t kCodeLoad = 0;
inline constexpr uint32_t kCodeClose = 3;
inline constexpr uint32_t kRecordHeaderSize = 16;  // id, total_size, timestamp
inline constexpr uint32_t kCodeLoadFixedSize = kRecordHeaderSize + 4 + 4 + 8 * 4;  // then name\0, code
}  // namespace jitdump

class JitdumpWriter {
 public:
  JitdumpWriter() = default;
  ~JitdumpWriter();
  JitdumpWriter(const JitdumpWriter&) = delete;
  JitdumpWriter& operator=(const JitdumpWriter&) = delete;

  // Creates `path` (replacing an earlier file), writes the header and maps the file
  // executable for perf. Returns 0 or an errno.
  int open(const char* path, uint32_t pid, uint64_t time_ns);
  bool is_open() const { return out_.usable(); }
  int error() const { return out_.error(); }
  bool flush() { return out_.flush(); }

  // A piece of code at [address, address + size) named `name`, whose bytes are copied
  // from that range now.
  void code_load(uint64_t time_ns, uint32_t pid, uint32_t tid, uint64_t address, uint64_t size,
                 std::string_view name);
  // The close record, then the file is closed.
  void close(uint64_t time_ns);

 private:
  BufferedFd<64 * 1024> out_;
  int fd_ = -1;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  uint64_t code_index_ = 0;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_JITDUMP_WRITER_H
