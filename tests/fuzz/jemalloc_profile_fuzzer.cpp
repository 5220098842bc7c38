// jemalloc's heap profile text (analyzer/jemalloc_profile_reader.h), which the
// analysis commands take wherever they take a snapshot: a model or SnapshotError.
#include "jemalloc_profile_reader.h"
#include "snapshot_reader.h"

using namespace heapdrift;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!is_jemalloc_profile({data, size})) return 0;
  try {
    Snapshot s = parse_jemalloc_profile({data, size}, "fuzz.heap");
    for (const Sample& x : s.samples) {
      if (!s.stacks.contains(x.stack_id)) __builtin_trap();
    }
  } catch (const SnapshotError&) {
  }
  return 0;
}
