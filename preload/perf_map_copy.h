// Copies the perf map of a JIT other than the JVM's heapdrift recorder into the
// process's directory, at each snapshot: /tmp/perf-<pid>.map, which V8 writes with
// --perf-basic-prof (Node.js), CPython 3.12 with -X perf, .NET with
// DOTNET_PerfMapEnabled=1, the JDK with -XX:+DumpPerfMapAtExit, perf-map-agent. The file
// in /tmp is not there on another machine, the next process with the same pid replaces
// it, and it does not say when each line was written; the copy is part of the recording
// and dates each batch of lines (docs/FORMAT.md, "The perf map copy").
//
// Only complete lines are copied. A source that was replaced or rewritten (jcmd's
// Compiler.perfmap rewrites it in place) is copied again from its start; one older than
// this program is left alone (a process that had the pid before, or the program before
// an exec). A JVM whose heapdrift recorder runs has jit.log, which says more (unloads,
// inlined methods): its perf map is not copied.
#ifndef HEAPDRIFT_PRELOAD_PERF_MAP_COPY_H
#define HEAPDRIFT_PRELOAD_PERF_MAP_COPY_H

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace heapdrift {

class PerfMapCopy {
 public:
  // Appends what the source gained since the last call to `process_dir`/perf.map, after
  // a header line with `start_mono_ns` (this program's) and the time of the copy. The
  // caller serialises calls (the snapshot mutex). Any failure leaves the copy as it was.
  void update(const std::string& source, const std::string& process_dir, uint64_t start_wall_ns,
              uint64_t start_mono_ns);

  // The source for a process: /tmp/perf-<pid>.map.
  static std::string source_of(uint32_t pid);

 private:
  // Whether the source at `fd` still begins with what was copied from it.
  bool continues(int fd, uint64_t size);
  bool append(int source_fd, uint64_t end, const std::string& copy_path, uint64_t start_mono_ns);

  dev_t dev_ = 0;
  ino_t ino_ = 0;
  uint64_t copied_ = 0;  // bytes of the source copied
  // The last bytes copied, to tell a rewritten source from one that grew.
  static constexpr size_t kTail = 64;
  char tail_[kTail];
  size_t tail_size_ = 0;
  char buffer_[16384];  // a member: the exit snapshot may run on a thread with a small stack
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_PERF_MAP_COPY_H
