// Leaks spread over several allocation sites that one caller reaches: a JNI call whose
// native code allocates in several places, threads started and never ended (each
// thread's JVM structures come from half a dozen sites), a CPython object made by
// several allocation functions, a JavaScript function reached through glue that
// changes as V8 tiers it up. Each site may stay under the detection floor, or stop
// growing when the tier changes, while together they leak. So the sites that are no
// suspects are grouped by the Java method or script function they are known by
// (caller_frame in frame.h), and each group of two or more is judged as one site
// (docs/LEAK_RANKING.md).
#ifndef HEAPDRIFT_ANALYZER_CALLER_LEAKS_H
#define HEAPDRIFT_ANALYZER_CALLER_LEAKS_H

#include "frame.h"
#include "leak_finder.h"

namespace heapdrift {

// Fills leaks.caller_leaks; call after find_leaks.
void find_caller_leaks(ProcessLeaks& leaks, const FrameTable& frames, const LeakCriteria& criteria);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_CALLER_LEAKS_H
