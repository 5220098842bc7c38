// pprof's profile format (gzip-compressed protobuf perftools.profiles.Profile, see
// profile.proto): what `go tool pprof` and other pprof readers load. Shaped like the
// live part of Go's heap profile: sample types inuse_objects/count and
// inuse_space/bytes (the default), period_type space/bytes with the sampling interval,
// values already unsampled (heapdrift's estimates, rounded).
//
// Each distinct (address, frames) pair is one Location in the mapping holding it, its
// Lines innermost first (inlined functions, then the function holding the address), as
// pprof wants. Mappings are the executable mappings of the snapshot's modules, with
// file name and build-id; JIT code (Java) has no mapping.
#ifndef HEAPDRIFT_ANALYZER_EXPORT_PPROF_EXPORT_H
#define HEAPDRIFT_ANALYZER_EXPORT_PPROF_EXPORT_H

#include <string>

#include "export_profile.h"

namespace heapdrift {

// The serialized Profile, not yet compressed.
std::string pprof_profile(const ExportProfile& profile, const FrameTable& table);

// gzip (RFC 1952) of `data`, as pprof files are stored; throws std::runtime_error.
std::string gzip(const std::string& data);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_EXPORT_PPROF_EXPORT_H
