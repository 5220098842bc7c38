// The JIT log's reader, the time-aware code map built from it and its count of live
// compiled versions (perfmap/): any bytes must give a log and a map that answer
// look-ups, or throw ReadError. The look-ups are the log's own addresses and times,
// which reach the pc records and the interpreted methods that random addresses would
// miss.
#include <algorithm>

#include "jit_code_map.h"
#include "jit_log_reader.h"

using namespace heapdrift::perfmap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  JitLog log;
  try {
    log = parse_jit_log({data, size}, "fuzz.jit.log");
  } catch (const ReadError&) {
    return 0;
  }
  JitCodeMap map;
  map.add_log(log);
  constexpr size_t kProbes = 64;  // per kind: enough to reach every path, few enough to stay fast
  for (size_t i = 0; i < std::min(log.loads.size(), kProbes); ++i) {
    const LogCodeLoad& l = log.loads[i];
    map.lookup(l.address + 1, l.time_ns);
    map.lookup(l.address + l.size, l.time_ns + 1);
    map.lookup(l.address + l.size / 2, JitCodeMap::kNever);
  }
  for (size_t i = 0; i < std::min(log.pcs.size(), kProbes); ++i) map.lookup(log.pcs[i].pc, 0);
  for (size_t i = 0; i < std::min(log.dynamic_code.size(), kProbes); ++i) {
    map.lookup(log.dynamic_code[i].address + 1, log.dynamic_code[i].time_ns);
  }
  for (size_t i = 0; i < std::min(log.method_addresses.size(), kProbes); ++i) {
    const LogMethodAddress& m = log.method_addresses[i];
    map.interpreted(m.address, m.time_ns);
    map.interpreted(m.address, 0);
  }
  if (!log.loads.empty()) {
    const uint64_t times[] = {log.loads.front().time_ns, log.loads.back().time_ns, JitCodeMap::kNever};
    map.compiled_versions(times);
  }
  return 0;
}
