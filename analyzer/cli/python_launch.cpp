#include "python_launch.h"

#include <filesystem>

namespace heapdrift::cli {

bool is_python_command(const std::string& program) {
  const std::string name = std::filesystem::path(program).filename();
  return name.starts_with("python") && name.find_first_not_of("0123456789.", 6) == std::string::npos;
}

bool python_without_perf_map(const std::vector<std::string>& command, const char* perf_support) {
  if (command.empty() || !is_python_command(command.front())) return false;
  if (perf_support && std::string(perf_support) != "0" && *perf_support) return false;
  // CPython's own options come before the script (or -c CODE, -m MODULE); what follows
  // belongs to the program. -X, -W and --check-hash-based-pycs take a value.
  for (size_t i = 1; i < command.size() && command[i].starts_with("-") && command[i] != "-" && command[i] != "--";
       ++i) {
    const std::string& arg = command[i];
    if (arg == "-Xperf" || (arg == "-X" && i + 1 < command.size() && command[i + 1] == "perf")) return false;
    if (arg == "-c" || arg == "-m") break;
    if (arg == "-X" || arg == "-W" || arg == "--check-hash-based-pycs") ++i;
  }
  return true;
}

}  // namespace heapdrift::cli
