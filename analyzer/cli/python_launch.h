// What `heapdrift record` does for CPython. Objects of 512 bytes or less live in
// pymalloc's arenas, which CPython maps directly: the shim sees them only when CPython
// takes them from malloc (PYTHONMALLOC=malloc), which record asks of every CPython its
// command starts, as it gives every JVM JAVA_TOOL_OPTIONS, unless PYTHONMALLOC is set
// already. And CPython (3.12 and later) names its Python functions in a perf map only
// when asked (-X perf, or PYTHONPERFSUPPORT=1); record does not ask for it itself (the
// map would stay in /tmp after every Python process), and says so when it runs python
// without it, as it does for node.
#ifndef HEAPDRIFT_ANALYZER_CLI_PYTHON_LAUNCH_H
#define HEAPDRIFT_ANALYZER_CLI_PYTHON_LAUNCH_H

#include <string>
#include <vector>

namespace heapdrift::cli {

// `python`, `python3`, `python3.12`, or a path ending so.
bool is_python_command(const std::string& program);

// True when the command is python and neither its options before the script (-X perf)
// nor PYTHONPERFSUPPORT (`perf_support`, null when unset) ask for a perf map.
bool python_without_perf_map(const std::vector<std::string>& command, const char* perf_support);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_PYTHON_LAUNCH_H
