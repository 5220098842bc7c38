#include "stack_extent.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "address_test.h"

extern "C" void* __libc_stack_end;  // exported by the dynamic loader

namespace heapdrift {
namespace {

constexpr uintptr_t kPage = 4096;

uintptr_t page_of(uintptr_t a) { return a & ~(kPage - 1); }

// Another stack than the thread's own: nothing about it is kept.
bool foreign_stack(uintptr_t sp, uintptr_t* walk_hi) {
  const uintptr_t top = page_of(sp);
  for (uintptr_t page = top - kPage; page >= page_of(sp - kSampleStackRoom); page -= kPage) {
    if (!readable(page)) return false;
  }
  uintptr_t hi = top + kPage;  // sp's own page is in use
  while (hi - top < kForeignSpan && readable(hi)) hi += kPage;
  *walk_hi = hi;
  return true;
}

// The lowest address the main thread's stack may grow to: its mapping's end (found by
// reading up from `top`, past the arguments, environment and auxiliary vector; a
// mapping right above only makes the floor higher, the safe side) less RLIMIT_STACK.
uintptr_t growth_floor(uintptr_t top) {
  rlimit limit;
  if (getrlimit(RLIMIT_STACK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1;
  constexpr uintptr_t kMaxAbove = 4 << 20;  // beyond any argument and environment size
  uintptr_t end = page_of(top) + kPage;
  while (end - top < kMaxAbove && readable(end)) end += kPage;
  return end > limit.rlim_cur + 1 ? end - limit.rlim_cur : 1;
}

}  // namespace

uintptr_t current_stack_top() {
  // Not pthread_getattr_np: it takes the thread's lock and reallocs under it, so a
  // sampled realloc made inside it would deadlock calling it again. glibc puts a
  // thread's descriptor (pthread_self()) right above its stack, the main thread's
  // stack ends at __libc_stack_end: both are bounds for the walk, found without a
  // lock or an allocation.
  if (syscall(SYS_gettid) == getpid()) return reinterpret_cast<uintptr_t>(__libc_stack_end);
  return static_cast<uintptr_t>(pthread_self());
}

OwnStack current_own_stack() {
  uintptr_t hi = current_stack_top();
  return {hi, 0, hi == reinterpret_cast<uintptr_t>(__libc_stack_end), 0};
}

bool stack_for_sample(OwnStack& own, uintptr_t sp, uintptr_t* walk_hi) {
  if (sp < kSampleStackRoom) return false;
  if (sp < own.hi) {
    // What must be readable for the sample to run here: its frame's page up to the
    // top, and the room below unless the stack grows into it.
    const uintptr_t needed = page_of(own.grows ? sp : sp - kSampleStackRoom);
    if (own.proven_lo == 0) own.proven_lo = page_of(own.hi - 1) + kPage;
    while (own.proven_lo > needed && readable(own.proven_lo - kPage)) own.proven_lo -= kPage;
    if (own.proven_lo <= needed) {
      // A stack that grows must be let grow that far. Its limit is read again when the
      // room would pass it: it may have been raised.
      if (own.grows && (own.floor == 0 || sp - kSampleStackRoom < own.floor)) own.floor = growth_floor(own.hi);
      if (own.grows && sp - kSampleStackRoom < own.floor) return false;
      *walk_hi = own.hi;
      return true;
    }
    if (own.proven_lo <= page_of(sp)) return false;  // the own stack, without room below
    // An unreadable page between the frame and the top: the frame is on another stack.
  }
  return foreign_stack(sp, walk_hi);
}

}  // namespace heapdrift
