#include "node_launch.h"

#include <filesystem>
#include <sstream>

namespace heapdrift::cli {
namespace {

bool asks_for_perf_map(const std::string& option) {
  return option == "--perf-basic-prof" || option == "--perf-basic-prof-only-functions";
}

}  // namespace

bool node_without_perf_map(const std::vector<std::string>& command, const char* node_options) {
  if (command.empty()) return false;
  const std::string name = std::filesystem::path(command.front()).filename();
  if (name != "node" && name != "nodejs") return false;
  // Node's own options come before the script; what follows belongs to the script. The
  // code of -e/-p and the module of -r are arguments of theirs, not the script.
  for (size_t i = 1; i < command.size() && command[i].starts_with("-") && command[i] != "--"; ++i) {
    if (asks_for_perf_map(command[i])) return false;
    for (const char* with_value : {"-e", "-p", "--eval", "--print", "-r", "--require"}) {
      if (command[i] == with_value) ++i;
    }
  }
  std::istringstream options(node_options ? node_options : "");
  for (std::string option; options >> option;) {
    if (asks_for_perf_map(option)) return false;
  }
  return true;
}

}  // namespace heapdrift::cli
