// Memory for the shim's own tables comes straight from mmap, never from the
// allocator being observed: no recursion, no samples of ourselves, and an exact
// account of what the shim costs (reported in every snapshot as `shim_bytes`).
#ifndef HEAPDRIFT_PRELOAD_INTERNAL_ALLOC_H
#define HEAPDRIFT_PRELOAD_INTERNAL_ALLOC_H

#include <cstddef>
#include <cstdint>

namespace heapdrift {

inline constexpr size_t kPageBytes = 4096;  // the pages internal_map deals in

// Returns zeroed, page-aligned memory, or nullptr. `size` is rounded up to pages.
void* internal_map(size_t size);
void internal_unmap(void* p, size_t size);

// Faults the pages under [p, p + size) in for writing, in one call, where the program's
// thread would otherwise fault them one by one. A table read at random before it is
// written costs two faults a page: the read maps the kernel's shared zero page, and the
// write that follows copies it and flushes every core's TLB for the old mapping (on this
// machine's VM: ~40 µs a page beside a running thread, against ~5 µs populated). Only
// for memory that is the shim's: pages already present are left as they are. Failure
// (a kernel before 5.14) leaves the pages to fault as before.
void internal_populate(void* p, size_t size);

// Bytes currently mapped through internal_map.
uint64_t internal_mapped_bytes();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_INTERNAL_ALLOC_H
