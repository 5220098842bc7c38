// Reads a jemalloc heap profile (`jeprof.*.heap`, first line `heap_v2/<period>`) into
// the analyzer's Snapshot model, so that every command taking a snapshot takes one of
// these too. docs/EXPORT.md describes the mapping; in short:
//
//  - each `@ addr…` record is a Stack (return addresses, innermost first), minus the
//    leading frames inside jemalloc's own library (its profiler and malloc);
//  - its `t*: n: s` line becomes n Samples of s/n bytes each, weighted the way jeprof
//    "unsamples" heap_v2 counts: w = 1 / (1 - exp(-(s/n)/period)), so that the
//    analyzer's estimate (size × weight, summed) is jeprof's;
//  - MAPPED_LIBRARIES (a copy of /proc/self/maps) becomes the maps, and the module map
//    is rebuilt from it with the ELF files on disk (load bias, segments, build-id);
//    a file that is missing gives a module without build-id.
//
// jemalloc profiles carry no allocation times and no sample identities: each record's
// samples get distinct made-up addresses and the time 0; no two profiles share
// samples or stack numbers (each has a start time of its own).
#ifndef HEAPDRIFT_ANALYZER_JEMALLOC_PROFILE_READER_H
#define HEAPDRIFT_ANALYZER_JEMALLOC_PROFILE_READER_H

#include <span>
#include <string_view>

#include "snapshot.h"

namespace heapdrift {

// Whether `bytes` start like a jemalloc heap profile ("heap_v2/").
bool is_jemalloc_profile(std::span<const uint8_t> bytes);

// Parses and validates the whole profile; throws SnapshotError ("<name>: line N: …")
// on anything malformed or truncated. `name` is the file's path: the process id is
// taken from a `jeprof.<pid>.…` file name when there is one (0 otherwise).
Snapshot parse_jemalloc_profile(std::span<const uint8_t> bytes, std::string_view name);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_JEMALLOC_PROFILE_READER_H
