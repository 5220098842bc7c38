// Whether `heapdrift record` should tell the user that the Node.js it runs will not
// name its JavaScript frames: V8 writes the perf map heapdrift copies only when asked
// (--perf-basic-prof), and record does not ask for it itself (V8 then also writes a log
// into the working directory, README).
#ifndef HEAPDRIFT_ANALYZER_CLI_NODE_LAUNCH_H
#define HEAPDRIFT_ANALYZER_CLI_NODE_LAUNCH_H

#include <string>
#include <vector>

namespace heapdrift::cli {

// True when the command is `node` (or `nodejs`) and neither its arguments before the
// script nor NODE_OPTIONS (`node_options`, null when unset) ask for a perf map.
bool node_without_perf_map(const std::vector<std::string>& command, const char* node_options);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_NODE_LAUNCH_H
