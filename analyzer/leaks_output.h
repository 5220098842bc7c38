// `heapdrift leaks` output: aligned text for a terminal, and JSON whose fixed part
// (snapshots, suspects[].growth_bytes, suspects[].frames[], children) SPEC.md defines.
#ifndef HEAPDRIFT_ANALYZER_LEAKS_OUTPUT_H
#define HEAPDRIFT_ANALYZER_LEAKS_OUTPUT_H

#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "frame.h"
#include "leak_finder.h"

namespace heapdrift {

// `processes[0]` is the main process; the others are its children.
void print_leaks(std::FILE* out, const std::vector<ProcessLeaks>& processes, const FrameTable& frames, size_t top);
nlohmann::ordered_json leaks_json(const std::vector<ProcessLeaks>& processes, const FrameTable& frames, size_t top);

// A frame as SPEC.md's JSON has it (also used by other commands' JSON).
nlohmann::ordered_json frame_json(const Frame& frame);
// One-sided confidence that growth at this z is not noise.
double confidence(double z);
// A row of block characters, one per bin, scaled to the largest.
std::string sparkline(const std::vector<double>& values);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_LEAKS_OUTPUT_H
