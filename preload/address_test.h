// Whether a word of memory can be read, asked of the kernel, so that a wrong answer
// is an error code rather than a fault: for libunwind's address test
// (libunwind_pipe.h) and for the stack a sample may use (stack_extent.h).
#ifndef HEAPDRIFT_PRELOAD_ADDRESS_TEST_H
#define HEAPDRIFT_PRELOAD_ADDRESS_TEST_H

#include <cstdint>

namespace heapdrift {

// Whether the aligned word holding `address` can be read (mapped, not PROT_NONE). One
// system call; takes no lock, allocates nothing, never sleeps, leaves errno as it was.
bool readable(uintptr_t address);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_ADDRESS_TEST_H
