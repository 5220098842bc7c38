// The snapshot reader (analyzer/snapshot_reader.h) on any bytes: it must return a
// model whose samples' stacks are all there, or throw SnapshotError; any other
// exception, a crash or a sanitizer's report is a finding. Each input is read as it
// is (the header and the framing) and checksummed (checksummed.h).
#include "checksummed.h"
#include "snapshot_reader.h"

namespace {

using namespace heapdrift;

void read(std::span<const uint8_t> bytes) {
  try {
    Snapshot s = parse_snapshot(bytes, "fuzz.hds");
    for (const Sample& x : s.samples) {
      if (x.stack_id != format::kOverflowStackId && !s.stacks.contains(x.stack_id)) __builtin_trap();
    }
  } catch (const SnapshotError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  read({data, size});
  read(fuzz::checksummed({data, size}));
  return 0;
}
