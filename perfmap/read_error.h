// The one exception the perfmap readers throw: a file that cannot be read, or whose
// contents are corrupt. what() is one line naming the file: "<file>: <problem>".
#ifndef HEAPDRIFT_PERFMAP_READ_ERROR_H
#define HEAPDRIFT_PERFMAP_READ_ERROR_H

#include <stdexcept>

namespace heapdrift::perfmap {

class ReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_READ_ERROR_H
