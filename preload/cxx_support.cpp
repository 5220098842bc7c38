#include "cxx_support.h"

#include <bits/functexcept.h>
#include <cstdlib>
#include <unistd.h>

namespace heapdrift {
namespace {

[[noreturn]] void fail(const char* message) {
  (void)!write(2, message, __builtin_strlen(message));
  abort();
}

}  // namespace

void cxx_support_out_of_memory() { fail("heapdrift: out of memory in the shim's own bookkeeping\n"); }

}  // namespace heapdrift

// What libstdc++'s headers call where they would throw, for the shim's own containers
// (hidden: the program's runtime keeps its own). None can happen with the sizes the shim
// asks for, but a bug must stop here rather than run on with a broken container.
namespace std {

void __throw_bad_alloc() { heapdrift::cxx_support_out_of_memory(); }
void __throw_bad_array_new_length() { heapdrift::cxx_support_out_of_memory(); }
void __throw_length_error(const char*) { heapdrift::fail("heapdrift: internal error: container too long\n"); }
void __throw_logic_error(const char*) { heapdrift::fail("heapdrift: internal error: logic error in a container\n"); }

}  // namespace std
