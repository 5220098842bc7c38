// `report` and `flamegraph` of a recording show its latest snapshot (SPEC.md). That is
// often the exit snapshot, written after the program's teardown, which may have freed
// what the program kept while it ran (a global container's destructor, an
// interpreter's finalization): then they say so and name the snapshot before it.
#ifndef HEAPDRIFT_ANALYZER_CLI_TEARDOWN_NOTE_H
#define HEAPDRIFT_ANALYZER_CLI_TEARDOWN_NOTE_H

#include <filesystem>
#include <string>
#include <vector>

#include "snapshot.h"

namespace heapdrift::cli {

// For `files`, a process's snapshots oldest first, whose last is `latest` with
// `estimated` live bytes: a note where the last is an exit snapshot holding less than
// three quarters of the estimate of the one before it, else "". The note names the last
// snapshot taken before the teardown began (one that caught it under way is passed).
std::string teardown_note(const std::vector<std::filesystem::path>& files, const ProcessInfo& latest,
                          double estimated);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_TEARDOWN_NOTE_H
