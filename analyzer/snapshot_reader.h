// Reads one snapshot file (docs/FORMAT.md) into a Snapshot. The whole file is
// validated before anything is returned: framing, checksum, that each known section
// is present once, every count and length, and that samples refer to stacks in the
// file. Any problem throws SnapshotError; garbage input never crashes the reader.
#ifndef HEAPDRIFT_ANALYZER_SNAPSHOT_READER_H
#define HEAPDRIFT_ANALYZER_SNAPSHOT_READER_H

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "compressed_snapshot.h"
#include "snapshot.h"

namespace heapdrift {

// what() is one line: "<file>: <what is wrong>".
class SnapshotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Which stacks to decode, given the snapshot's process and a stack's id: a reader that
// already holds a process's stacks skips them (ids are stable within a process image),
// rather than rebuilding 100,000 of them per snapshot. Skipped stacks are validated all
// the same but absent from Snapshot::stacks, though samples may refer to them.
using StackFilter = std::function<bool(const ProcessInfo&, uint32_t id)>;

// Reads and validates the file at `path`; errors name it as given.
Snapshot read_snapshot(const std::filesystem::path& path, const StackFilter& wanted = {});
// Which process the file at `path` is of, and when: read_snapshot() without its stacks.
ProcessInfo read_process(const std::filesystem::path& path);

// read_snapshot() in two halves: the file's bytes in memory, inflated if it was
// compressed, then their decoding. A reader of a series loads the next file on another
// thread while it decodes this one: inflating was over a quarter of `leaks` over
// compressed files read in turn (docs/PERFORMANCE.md, "The analyzer").
struct LoadedSnapshot {
  std::filesystem::path path;
  OwnedBytes contents;
  // The buffer given to the load that `contents` is not in (a compressed file's bytes as
  // read), free for the next load.
  OwnedBytes spare;
  // The checksum of a heapdrift file's bytes but its end section, as computed while
  // it was loaded; decoding compares it with the file's.
  std::optional<uint64_t> hashed;
};
// Into the memory of buffers given, if any, rather than new memory, which the kernel
// zeroes page by page: the file is read into `read_into`'s, and inflated, if it is
// compressed, into `inflate_into`'s (inflate_snapshot).
LoadedSnapshot load_snapshot_file(const std::filesystem::path& path, OwnedBytes read_into = {},
                                  OwnedBytes inflate_into = {});
// The samples are decoded into `reuse`'s memory, if given (decode::samples).
Snapshot parse_snapshot_file(const LoadedSnapshot& file, const StackFilter& wanted = {},
                             std::vector<Sample> reuse = {});

// The same for bytes already in memory; `name` stands for the file in errors.
Snapshot parse_snapshot(std::span<const uint8_t> bytes, std::string_view name, const StackFilter& wanted = {});

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_SNAPSHOT_READER_H
