#include "demangle.h"

#include <cstdlib>
#include <cstring>

// libiberty.h would redeclare basename() against glibc's C++ declarations.
#define HAVE_DECL_BASENAME 1
#include <libiberty/demangle.h>

namespace heapdrift::symbolizer {
namespace {

// cplus_demangle's result (malloc'd, or null when `symbol` is no mangling it knows).
std::string take(char* demangled, const char* fallback) {
  if (demangled == nullptr) return fallback;
  std::string s(demangled);
  std::free(demangled);
  return s;
}

}  // namespace

DemangledName demangle(const char* symbol) {
  if (symbol == nullptr) return {};
  // Only Itanium C++ (_Z) and Rust (_R, or legacy _ZN...E) manglings are tried: the
  // old GNU v2 style would "demangle" ordinary C names.
  if (std::strncmp(symbol, "_Z", 2) != 0 && std::strncmp(symbol, "_R", 2) != 0) {
    return {symbol, symbol};
  }
  DemangledName out;
  out.signature = take(cplus_demangle(symbol, DMGL_PARAMS | DMGL_ANSI), symbol);
  out.name = take(cplus_demangle(symbol, DMGL_ANSI), out.signature.c_str());
  return out;
}

}  // namespace heapdrift::symbolizer
