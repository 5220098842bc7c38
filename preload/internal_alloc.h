// Memory for the shim's own tables comes straight from mmap, never from the
// allocator being observed: no recursion, no samples of ourselves, and an exact
// account of what the shim costs (reported in every snapshot as `shim_bytes`).
#ifndef HEAPDRIFT_PRELOAD_INTERNAL_ALLOC_H
#define HEAPDRIFT_PRELOAD_INTERNAL_ALLOC_H

#include <cstddef>
#include <cstdint>

namespace heapdrift {

// Returns zeroed, page-aligned memory, or nullptr. `size` is rounded up to pages.
void* internal_map(size_t size);
void internal_unmap(void* p, size_t size);

// Bytes currently mapped through internal_map.
uint64_t internal_mapped_bytes();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_INTERNAL_ALLOC_H
