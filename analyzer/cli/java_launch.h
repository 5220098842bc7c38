// What `heapdrift record` adds to the command line of every JVM its command starts
// (the command itself, or one a script, a build tool or a JDK tool starts), through
// JAVA_TOOL_OPTIONS so that the user adds nothing: frame pointers in JIT code (the shim
// walks through Java frames with them) and the JIT-symbol recorder (perfmap/,
// libheapdrift_jvmti.so).
#ifndef HEAPDRIFT_ANALYZER_CLI_JAVA_LAUNCH_H
#define HEAPDRIFT_ANALYZER_CLI_JAVA_LAUNCH_H

#include <filesystem>
#include <string>

namespace heapdrift::cli {

// `java`, or a path whose last component is `java`: a command that surely starts a JVM,
// so that a missing recorder is worth a warning.
bool is_java_command(const std::string& program);

// JAVA_TOOL_OPTIONS: what was set before (kept first), then heapdrift's options
// (without the recorder when `agent` is empty).
std::string java_tool_options(const std::string& previous, const std::filesystem::path& agent);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_JAVA_LAUNCH_H
