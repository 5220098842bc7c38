// Compiled Java code that keeps growing: the JIT's code cache leaking, which no malloc
// sample shows. A method whose live compiled versions (JitCodeMap::compiled_versions)
// number many and grow through the run, in both halves of it, as a method recompiled
// without end does (docs/LEAK_RANKING.md, "Compiled code that keeps growing").
#ifndef HEAPDRIFT_ANALYZER_CODE_GROWTH_H
#define HEAPDRIFT_ANALYZER_CODE_GROWTH_H

#include "jit_code_map.h"
#include "leak_finder.h"

namespace heapdrift {

// Fills leaks.code_growth from the process's JIT code, as the symbolizer read it from
// its JIT log (StackSymbolizer::jit_code); call after find_leaks.
void find_code_growth(ProcessLeaks& leaks, const perfmap::JitCodeMap& code);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_CODE_GROWTH_H
