// What a site's frames say about where its memory is really kept, when the site alone
// would mislead:
// - a pool's blocks (HotSpot keeps JNI global references in blocks of 64, OopStorage)
//   are charged to whichever request found the pool full, which need not be the code
//   that keeps what the pool holds: a program that leaks references through one call
//   sees the blocks charged to whichever call overflows them;
// - JNI local references live until the native method that made them returns, which a
//   native thread attached to the JVM never does;
// - the blocks the JVM allocates for a thread it starts (Thread.start) live as long as
//   the thread: their growth is threads that never end, which have stacks too, mapped
//   outside malloc;
// - the JVM's monitors are freed in batches, up to a minute late;
// - what the JVM mallocs for each compiled method (its oop maps; in JDK 25 more of its
//   data) lives as long as the method's code: its growth is the code cache's, which code
//   growth explains.
// The note says so, and how to count what is kept.
#ifndef HEAPDRIFT_ANALYZER_SITE_NOTE_H
#define HEAPDRIFT_ANALYZER_SITE_NOTE_H

#include <optional>
#include <string>
#include <vector>

#include "frame.h"

namespace heapdrift {

// The note for a site (its frames, allocator frames removed), if it needs one.
std::optional<std::string> site_note(const std::vector<FrameId>& frames, const FrameTable& table);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_SITE_NOTE_H
