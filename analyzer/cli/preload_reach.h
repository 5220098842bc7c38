// Whether LD_PRELOAD can reach the program `record` runs. The dynamic loader is what
// reads it: a statically linked program has no loader, a set-user-ID or set-group-ID
// program runs in secure-execution mode, where a preloaded library named by a path is
// ignored (ld.so(8)). Either way the shim never runs and nothing is recorded, without
// a word from the loader: worth saying before a run that may last days.
#ifndef HEAPDRIFT_ANALYZER_CLI_PRELOAD_REACH_H
#define HEAPDRIFT_ANALYZER_CLI_PRELOAD_REACH_H

#include <optional>
#include <string>

namespace heapdrift::cli {

// Why the shim cannot load into `program` (found through PATH as execvp finds it), as
// the end of a sentence that starts with the program's name; nothing when it can, or
// when that cannot be told (not found, unreadable, a script).
std::optional<std::string> why_preload_cannot_reach(const std::string& program);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_PRELOAD_REACH_H
