// What the analyzer's reader makes of a snapshot file, for the shim's tests. In a file
// of its own: the shim and the analyzer each have a Module and a Mapping of their own,
// which one translation unit cannot hold both of.
#ifndef HEAPDRIFT_TESTS_PRELOAD_SNAPSHOT_CHECK_H
#define HEAPDRIFT_TESTS_PRELOAD_SNAPSHOT_CHECK_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace heapdrift::test {

struct SnapshotCheck {
  std::string error;  // the reader's, empty when the file was read
  uint32_t sequence = 0;
  uint32_t trigger = 0;  // format::Trigger
  size_t samples = 0;
  size_t stacks = 0;
  uint64_t live_samples = 0;  // the counter
  // Samples whose size is not block_size(address), or without a thread, or whose
  // weight is not that of their size at the snapshot's rate.
  size_t odd_samples = 0;
  std::vector<uint64_t> addresses;  // of the samples
};

// The size the tests give a block at `address`, so that a sample torn between two
// blocks (an entry copied while it was written) shows.
inline size_t block_size(uint64_t address) { return 16 + (address >> 6) % 1000; }

SnapshotCheck check_snapshot(const std::string& path);

}  // namespace heapdrift::test

#endif  // HEAPDRIFT_TESTS_PRELOAD_SNAPSHOT_CHECK_H
