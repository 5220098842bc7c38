#include "java_launch.h"

#include <sstream>

namespace heapdrift::cli {

bool is_java_command(const std::string& program) {
  return std::filesystem::path(program).filename() == "java";
}

std::string java_tool_options(const std::string& previous, const std::filesystem::path& agent) {
  std::string ours = "-XX:+PreserveFramePointer";
  if (!agent.empty()) ours += " -agentpath:" + agent.string();
  return previous.empty() ? ours : previous + " " + ours;
}

std::optional<std::string> frame_pointers_turned_off(const std::vector<std::string>& command,
                                                     const char* jdk_java_options, const char* java_options) {
  std::optional<std::string> off;
  auto read = [&](const std::string& option, const std::string& where) {
    if (option == "-XX:-PreserveFramePointer") off = where;
    if (option == "-XX:+PreserveFramePointer") off.reset();
  };
  auto read_variable = [&](const char* value, const std::string& name) {
    std::istringstream options(value ? value : "");
    for (std::string option; options >> option;) read(option, name);
  };
  read_variable(jdk_java_options, "JDK_JAVA_OPTIONS");
  if (!command.empty() && is_java_command(command.front())) {
    for (const std::string& argument : command) read(argument, "java's command line");
  }
  read_variable(java_options, "_JAVA_OPTIONS");
  return off;
}

}  // namespace heapdrift::cli
