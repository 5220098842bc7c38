// A JVM's hsperfdata file as the shim reads it at each snapshot (preload/jvm_counters.h):
// it runs inside the recorded JVM, so any bytes must give counters or none, never a
// crash. The JVM writes the file, but a shim reading it while the JVM is changing it
// must also survive what it sees.
#include <cstdint>
#include <vector>

#include "jvm_counters.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> exact(data, data + size);  // a heap copy of the exact size, for ASan
  heapdrift::jvm_counters(exact);
  return 0;
}
