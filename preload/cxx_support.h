// What the shim's own C++ needs from a C++ runtime, defined by the shim so that
// libheapdrift.so links none (real_alloc.h says why): the shim is built without
// exceptions, and what would have thrown ends the process with a message instead.
#ifndef HEAPDRIFT_PRELOAD_CXX_SUPPORT_H
#define HEAPDRIFT_PRELOAD_CXX_SUPPORT_H

namespace heapdrift {

// The shim's own containers could not get memory. They run in the writer thread and at
// start-up, where a C++ runtime's std::bad_alloc would have ended the process too.
[[noreturn]] void cxx_support_out_of_memory();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_CXX_SUPPORT_H
