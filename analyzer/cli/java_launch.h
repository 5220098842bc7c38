// What `heapdrift record` adds to the command line of every JVM its command starts
// (the command itself, or one a script, a build tool or a JDK tool starts), through
// JAVA_TOOL_OPTIONS so that the user adds nothing: frame pointers in JIT code (the shim
// walks through Java frames with them) and the JIT-symbol recorder (perfmap/,
// libheapdrift_jvmti.so).
#ifndef HEAPDRIFT_ANALYZER_CLI_JAVA_LAUNCH_H
#define HEAPDRIFT_ANALYZER_CLI_JAVA_LAUNCH_H

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace heapdrift::cli {

// `java`, or a path whose last component is `java`: a command that surely starts a JVM,
// so that a missing recorder is worth a warning.
bool is_java_command(const std::string& program);

// JAVA_TOOL_OPTIONS: what was set before (kept first), then heapdrift's options
// (without the recorder when `agent` is empty).
std::string java_tool_options(const std::string& previous, const std::filesystem::path& agent);

// Where a JVM that `command` starts is told -XX:-PreserveFramePointer after the flag
// that record adds, which the last one of them then overrides: JDK_JAVA_OPTIONS, the
// command line of `java` itself, _JAVA_OPTIONS (the order a JVM reads them in, after
// JAVA_TOOL_OPTIONS). Nothing when frame pointers stay on.
std::optional<std::string> frame_pointers_turned_off(const std::vector<std::string>& command,
                                                     const char* jdk_java_options, const char* java_options);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_JAVA_LAUNCH_H
