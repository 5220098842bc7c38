// C++ (and Rust) symbol demangling through libiberty, the demangler of binutils and
// gdb: it alone can print a name without its parameter list (`c++filt -p`), which
// is what reports show, while the full signature stays available.
#ifndef HEAPDRIFT_SYMBOLIZER_DEMANGLE_H
#define HEAPDRIFT_SYMBOLIZER_DEMANGLE_H

#include <string>

namespace heapdrift::symbolizer {

struct DemangledName {
  std::string name;       // "ns::Class::method", clone suffixes ("[clone .cold]") dropped
  std::string signature;  // "ns::Class::method(int) const [clone .cold]"
};

// A symbol that is not mangled (C, or not a valid mangling) comes back unchanged in both.
DemangledName demangle(const char* symbol);

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_DEMANGLE_H
