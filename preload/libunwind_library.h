// libunwind, found at run time rather than linked.
//
// A shim linked against libunwind.so.8 cannot be preloaded where that file is missing
// (most container images have no libunwind8): the loader then refuses to start the
// program at all, exit 127. And libunwind.so.8, loaded as a preloaded library's
// dependency, is in the program's global scope, where its unversioned _Unwind_*
// functions take the place of libgcc_s's for every C++ library dlopened later: in a JVM,
// libstdc++'s and the JDK's libjimage's _Unwind_* calls went to libunwind's.
//
// So the shim uses the libunwind the process already has, if any, or loads its own
// privately (RTLD_LOCAL). Where there is none, stacks are walked by frame pointers.
#ifndef HEAPDRIFT_PRELOAD_LIBUNWIND_LIBRARY_H
#define HEAPDRIFT_PRELOAD_LIBUNWIND_LIBRARY_H

#define UNW_LOCAL_ONLY
#include <libunwind.h>

namespace heapdrift {

struct Libunwind {
  decltype(&unw_tdep_getcontext) getcontext;
  decltype(&unw_init_local) init_local;
  decltype(&unw_step) step;
  decltype(&unw_get_reg) get_reg;
  decltype(&unw_get_save_loc) get_save_loc;
  decltype(&unw_is_signal_frame) is_signal_frame;
  decltype(&unw_set_caching_policy) set_caching_policy;
  decltype(&unw_backtrace) backtrace;
  unw_addr_space_t* local_addr_space;
};

// Found once, at the first call (the shim's start); null where libunwind.so.8 cannot
// be loaded, or lacks one of these.
const Libunwind* libunwind();

// Why libunwind() is null, for the shim's one line on stderr.
const char* libunwind_error();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_LIBUNWIND_LIBRARY_H
