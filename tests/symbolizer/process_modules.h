// The running test process's module map as the shim records it (preload/module_map:
// path, load bias, build-id from PT_NOTE, PT_LOAD segments), as ModuleDescs.
#ifndef HEAPDRIFT_TESTS_SYMBOLIZER_PROCESS_MODULES_H
#define HEAPDRIFT_TESTS_SYMBOLIZER_PROCESS_MODULES_H

#include <string>
#include <vector>

#include "module_desc.h"

namespace heapdrift::symbolizer::test {

std::vector<ModuleDesc> current_modules();

// Index of the module with a PT_LOAD segment containing `address`, or -1.
int module_containing(const std::vector<ModuleDesc>& modules, const void* address);

// Index of the module whose path is `path`, or -1.
int module_named(const std::vector<ModuleDesc>& modules, const std::string& path);

}  // namespace heapdrift::symbolizer::test

#endif  // HEAPDRIFT_TESTS_SYMBOLIZER_PROCESS_MODULES_H
