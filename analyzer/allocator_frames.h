// The innermost frames of a stack that belong to allocation machinery rather than to
// the code that wanted the memory: they are cut before stacks are grouped into sites
// (docs/LEAK_RANKING.md). The built-in list is data, in allocator_frames.cpp; users
// add patterns with --ignore.
#ifndef HEAPDRIFT_ANALYZER_ALLOCATOR_FRAMES_H
#define HEAPDRIFT_ANALYZER_ALLOCATOR_FRAMES_H

#include <regex>
#include <string>
#include <vector>

#include "frame.h"

namespace heapdrift {

class AllocatorFrames {
 public:
  // The built-in patterns plus `extra` (ECMAScript regexes matched against the whole
  // demangled function name). Throws std::regex_error on a bad pattern.
  explicit AllocatorFrames(const std::vector<std::string>& extra = {});

  bool matches(const std::string& function) const;
  // By name, or by source: Rust's standard library (alloc, core, std), wherever its
  // debug information puts it, allocates on its caller's behalf (Vec, String, Box,
  // HashMap, format!, collect).
  bool matches(const Frame& frame) const;

  static const std::vector<std::string>& builtin_patterns();

 private:
  std::vector<std::regex> patterns_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_ALLOCATOR_FRAMES_H
