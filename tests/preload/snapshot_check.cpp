#include "snapshot_check.h"

#include <cmath>
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
  // A sample's weight is 1/p(size) at the snapshot's rate (docs/SAMPLING.md), 1 in exact mode.
  const double rate = static_cast<double>(s.process.sample_rate);
  for (const Sample& sample : s.samples) {
    const double size = static_cast<double>(sample.size ? sample.size : 1);
    const double weight = s.process.sample_rate == 1 ? 1.0 : 1.0 / -std::expm1(-size / rate);
    check.odd_samples += sample.size != block_size(sample.address) || sample.tid == 0 || sample.weight != weight;
    check.addresses.push_back(sample.address);
  }
  return check;
}

}  // namespace heapdrift::test
