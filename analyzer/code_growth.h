// Compiled Java code that keeps growing: the JIT's code cache leaking, which no malloc
// sample shows. A method whose live compiled versions (perfmap/compiled_versions.h)
// number many and grow through the run, in both halves of it, as a method recompiled
// without end does (docs/LEAK_RANKING.md, "Compiled code that keeps growing").
#ifndef HEAPDRIFT_ANALYZER_CODE_GROWTH_H
#define HEAPDRIFT_ANALYZER_CODE_GROWTH_H

#include <filesystem>

#include "leak_finder.h"

namespace heapdrift {

// Fills leaks.code_growth from the JIT log in `process_dir`, when there is one that
// parses (of one that does not, the symbolizer warns); call after find_leaks.
void find_code_growth(ProcessLeaks& leaks, const std::filesystem::path& process_dir);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_CODE_GROWTH_H
