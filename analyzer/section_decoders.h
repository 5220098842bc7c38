// Decoders of the known sections' payloads, one per section (docs/FORMAT.md, the
// section table). Internal to the reader: each consumes its payload exactly and throws
// FormatError on anything malformed; cross-section checks live in snapshot_reader.cpp.
#ifndef HEAPDRIFT_ANALYZER_SECTION_DECODERS_H
#define HEAPDRIFT_ANALYZER_SECTION_DECODERS_H

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "snapshot.h"

namespace heapdrift::decode {

using Payload = std::span<const uint8_t>;

// "process", "counters", ...; nullptr for a tag this reader does not know.
const char* section_name(uint32_t tag);

ProcessInfo process(Payload payload);
KeyValues counters(Payload payload);
MemoryInfo memory(Payload payload);
std::vector<Module> modules(Payload payload);
std::vector<UnloadedModule> unloaded_modules(Payload payload);
std::vector<Mapping> maps(Payload payload);
// The stacks for which `wanted` (if set) says yes; the others are checked and skipped.
// `ids` gets every stack's id, in the file's order.
std::map<uint32_t, Stack> stacks(Payload payload, const std::function<bool(uint32_t)>& wanted = {},
                                 std::vector<uint32_t>* ids = nullptr);
// Into `reuse`'s memory, if given: a reader of a series decodes each snapshot's samples
// where the one before it had them, rather than into new pages for the kernel to zero.
std::vector<Sample> samples(Payload payload, std::vector<Sample> reuse = {});
// Fills Stack::methods of `stacks`; every entry must name a stack of the same depth
// that has the kStackInterpreterMethods flag, and every such stack must get one.
// `skipped` says which ids the stacks section had but the reader left out (a filter).
void frame_methods(Payload payload, std::map<uint32_t, Stack>& stacks,
                   const std::function<bool(uint32_t)>& skipped = {});

}  // namespace heapdrift::decode

#endif  // HEAPDRIFT_ANALYZER_SECTION_DECODERS_H
