// Brendan Gregg's folded stacks ("collapsed" format, as flamegraph.pl, speedscope and
// inferno read it): one line per stack, frames outermost first joined by ';', a space,
// and the stack's estimated live bytes as an integer.
//
// Frames are named as in heapdrift's own flamegraph (the demangled function, Java as
// pkg.Class.method), with the suffixes flamegraph.pl's java palette colours by:
// "_[j]" for Java code (JIT-compiled or interpreted), "_[i]" for an inlined frame.
// ';' inside a name becomes ':', and control characters (newlines) become spaces, so a
// name never splits a frame or a line. Lines are sorted; identical lines are merged.
#ifndef HEAPDRIFT_ANALYZER_EXPORT_FOLDED_EXPORT_H
#define HEAPDRIFT_ANALYZER_EXPORT_FOLDED_EXPORT_H

#include <string>

#include "export_profile.h"

namespace heapdrift {

// One frame's name in the folded format.
std::string folded_frame_name(const Frame& frame);

std::string folded_stacks(const ExportProfile& profile, const FrameTable& table);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_EXPORT_FOLDED_EXPORT_H
