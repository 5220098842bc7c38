#include "snapshot_check.h"

#include <exception>

#include "snapshot_reader.h"

namespace heapdrift::test {

SnapshotCheck check_snapshot(const std::string& path) {
  SnapshotCheck check;
  Snapshot s;
  try {
    s = read_snapshot(path);  // refuses a sample whose stack is not in the file
  } catch (const std::exception& e) {
    check.error = e.what();
    return check;
  }
  check.sequence = s.process.sequence;
  check.trigger = static_cast<uint32_t>(s.process.trigger);
  check.samples = s.samples.size();
  check.stacks = s.stacks.size();
  check.live_samples = uint64_t(value_or_zero(s.counters, "live_samples"));
  for (const Sample& sample : s.samples) {
    check.odd_samples += sample.size != block_size(sample.address) || sample.tid == 0 || sample.weight != 1.0;
  }
  return check;
}

}  // namespace heapdrift::test
