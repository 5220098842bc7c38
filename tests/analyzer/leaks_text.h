// What `heapdrift leaks` prints for the given processes, as a string.
#ifndef HEAPDRIFT_TESTS_ANALYZER_LEAKS_TEXT_H
#define HEAPDRIFT_TESTS_ANALYZER_LEAKS_TEXT_H

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "leaks_output.h"

namespace heapdrift {

inline std::string leaks_text(const std::vector<ProcessLeaks>& processes, const FrameTable& frames, size_t top = 10) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  print_leaks(out, processes, frames, top);
  std::fclose(out);
  std::string printed(text, size);
  std::free(text);
  return printed;
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_TESTS_ANALYZER_LEAKS_TEXT_H
