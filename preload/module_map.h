// The process's code as the analyzer needs it to symbolize later, elsewhere: every
// loaded ELF object (dl_iterate_phdr) with its load bias, segments and GNU build-id,
// and every mapping of /proc/self/maps (JIT code lives in anonymous ones).
// Built on the writer thread only: dl_iterate_phdr takes the loader's lock, which
// must never be taken inside malloc.
#ifndef HEAPDRIFT_PRELOAD_MODULE_MAP_H
#define HEAPDRIFT_PRELOAD_MODULE_MAP_H

#include <cstdint>
#include <string>
#include <vector>

namespace heapdrift {

struct ModuleSegment {
  uint64_t vaddr, memsz, offset;
  uint32_t flags;  // PF_X | PF_W | PF_R
};

struct Module {
  std::string path;
  uint64_t load_bias = 0;
  std::vector<uint8_t> build_id;
  std::vector<ModuleSegment> segments;  // PT_LOAD only
};

struct Mapping {
  uint64_t start, end, offset;
  uint32_t prot;  // format::kProt*
  std::string path;
};

std::vector<Module> loaded_modules();
std::string executable_path();  // /proc/self/exe; "" if it cannot be read
std::vector<Mapping> memory_mappings();  // empty if /proc/self/maps cannot be read

// The [lo, hi) range of the executable segments of the object containing `address`.
bool code_range_of(const void* address, uintptr_t* lo, uintptr_t* hi);

// Reads a whole small file (procfs) into a string; false if it cannot be opened.
bool read_small_file(const char* path, std::string* out);

// `size` bytes (a mebibyte at most) of this process's memory from `start`, read by the
// kernel through /proc/self/mem: a range unmapped since /proc/self/maps was read, or
// never mapped, is an error, not a fault. Not process_vm_readv, which allow-lists leave
// out as a debugger's call: a filter that kills for it ended the JVM at its exit
// snapshot (tests/e2e/native/seccomp_kill.c).
bool read_own_memory(uint64_t start, uint64_t size, std::string* out);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_MODULE_MAP_H
