// Sites whose blocks a pool allocates on behalf of many callers: the stack of such a
// block is the request that found the pool full, which need not be the code that keeps
// what the pool holds. HotSpot keeps JNI global references so (OopStorage, blocks of
// 64): a program that leaks references through one call sees the blocks charged to
// whichever call overflows them, possibly a caller that deletes each reference it
// makes. A note on the site says so, and how to count what is kept.
#ifndef HEAPDRIFT_ANALYZER_POOL_NOTE_H
#define HEAPDRIFT_ANALYZER_POOL_NOTE_H

#include <optional>
#include <string>
#include <vector>

#include "frame.h"

namespace heapdrift {

// The note for a site (its frames, allocator frames removed), if it is a pool's.
std::optional<std::string> pool_note(const std::vector<FrameId>& frames, const FrameTable& table);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_POOL_NOTE_H
