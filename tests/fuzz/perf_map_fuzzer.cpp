// A perf map as text (perfmap/perf_map_reader.h), as a JVM's or another runtime's,
// through the code map's index: malformed lines must become warnings, never a crash.
// The look-ups are the map's own addresses.
#include <algorithm>
#include <string_view>

#include "jit_code_map.h"
#include "perf_map_reader.h"

using namespace heapdrift::perfmap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const PerfMap map = parse_perf_map(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.map");
  if (map.warnings.size() > PerfMap::kMaxLineWarnings + 1) __builtin_trap();
  for (JitCodeMap::Runtime runtime : {JitCodeMap::Runtime::kJvm, JitCodeMap::Runtime::kOther}) {
    JitCodeMap code;
    code.add_perf_map(map, 100, runtime);
    code.add_perf_map(map, 200, runtime);  // the same entries again: a later copy
    for (size_t i = 0; i < std::min<size_t>(map.entries.size(), 64); ++i) {
      const PerfMapEntry& e = map.entries[i];
      code.lookup(e.start + 1, 150);
      code.lookup(e.start + e.size, 250);
    }
  }
  return 0;
}
