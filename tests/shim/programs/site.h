// Test-program side: named allocation sites. A site's functions go into their own
// ELF section `hd_site_<name>`; the linker defines __start_/__stop_ symbols around
// it, and the program prints that range ("site <name> <lo> <hi>") so the test can
// tell the site's samples from all others without a symbolizer: a sample belongs to
// the site when any frame of its stack lies in the range.
#ifndef HEAPDRIFT_TESTS_SHIM_SITE_H
#define HEAPDRIFT_TESTS_SHIM_SITE_H

#include <cstdio>

#define HD_SITE(name) __attribute__((noinline, used, section("hd_site_" #name)))
#define HD_DECLARE_SITE(name) extern "C" char __start_hd_site_##name[], __stop_hd_site_##name[]
#define HD_PRINT_SITE(out, name)                                              \
  std::fprintf(out, "site %s %#lx %#lx\n", #name,                             \
               reinterpret_cast<unsigned long>(__start_hd_site_##name), \
               reinterpret_cast<unsigned long>(__stop_hd_site_##name))

// Keeps the compiler from treating a block as unused (and from eliding the call).
inline void hd_escape(void* p) { asm volatile("" : : "g"(p) : "memory"); }

#endif  // HEAPDRIFT_TESTS_SHIM_SITE_H
