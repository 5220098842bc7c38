#include "java_launch.h"

namespace heapdrift::cli {

bool is_java_command(const std::string& program) {
  return std::filesystem::path(program).filename() == "java";
}

std::string java_tool_options(const std::string& previous, const std::filesystem::path& agent) {
  std::string ours = "-XX:+PreserveFramePointer";
  if (!agent.empty()) ours += " -agentpath:" + agent.string();
  return previous.empty() ? ours : previous + " " + ours;
}

}  // namespace heapdrift::cli
