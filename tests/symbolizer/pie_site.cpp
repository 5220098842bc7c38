// Built -g -O2 into the test executable, which is a PIE (position-independent, loaded
// at a random non-zero bias).
#include "pie_site.h"

namespace {

volatile int sink;

__attribute__((noinline, noclone)) const void* exe_capture() {
  const void* ra = __builtin_return_address(0);
  __asm__ volatile("" ::: "memory");
  return ra;
}

}  // namespace

namespace hdtest {

__attribute__((noinline, noclone)) HdsymSite pie_call(int x) {
  HdsymSite site;
  site.address = exe_capture(); site.line = __LINE__;
  sink = x;
  return site;
}

}  // namespace hdtest
