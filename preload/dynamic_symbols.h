// Whether a loaded object defines a symbol, and where, read from its dynamic symbol
// table in memory: no dlopen, dlsym or dlclose, which take the loader's lock and reset
// the calling thread's dlerror() state (real_alloc.h looks for a C++ runtime from
// inside operator new; a snapshot reads HotSpot's table, java_heap.h). Only the GNU
// hash table is read; an object without one is "maybe".
#ifndef HEAPDRIFT_PRELOAD_DYNAMIC_SYMBOLS_H
#define HEAPDRIFT_PRELOAD_DYNAMIC_SYMBOLS_H

#include <link.h>

namespace heapdrift {

enum class Defines { kNo, kMaybe };

// kNo when the object's table says it does not define `name`; kMaybe when it does, or
// when it has no table to tell. `object` as dl_iterate_phdr gives it, from inside its
// callback.
Defines may_define(const dl_phdr_info& object, const char* name);

// Where the object's definition of `name` is (the symbol's value plus the object's
// load bias: for a variable, its address); null when its table defines no such name,
// or when it has no table. Versions are not told apart: of a name defined in several,
// the table's first is given. `object` as for may_define.
const void* defined_address(const dl_phdr_info& object, const char* name);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_DYNAMIC_SYMBOLS_H
