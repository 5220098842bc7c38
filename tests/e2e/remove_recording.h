// Removes a recording and the /tmp/perf-<pid>.map a JIT wrote for each of its processes
// (the JVM's recorder, the JDK, V8): left behind, a later process given the same pid
// would find one already there.
#ifndef HEAPDRIFT_TESTS_E2E_REMOVE_RECORDING_H
#define HEAPDRIFT_TESTS_E2E_REMOVE_RECORDING_H

#include <filesystem>
#include <string>
#include <system_error>

namespace heapdrift::e2e {

inline void remove_recording(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
      std::filesystem::remove("/tmp/perf-" + name + ".map", ec);
    }
  }
  std::filesystem::remove_all(dir, ec);
}

}  // namespace heapdrift::e2e

#endif  // HEAPDRIFT_TESTS_E2E_REMOVE_RECORDING_H
