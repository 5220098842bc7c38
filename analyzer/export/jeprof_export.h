// jemalloc's heap profile text format (`heap_v2/<period>`, what jemalloc's prof_dump
// writes and `jeprof` reads), from a heapdrift snapshot:
//
//   heap_v2/524288
//     t*: <sampled objects>: <sampled bytes> [0: 0]
//   @ 0x<return address> 0x<return address> ...        (innermost first)
//     t*: <sampled objects>: <sampled bytes> [0: 0]
//   ...
//   MAPPED_LIBRARIES:
//   <the snapshot's /proc/self/maps>
//
// Counts are per sample, as jemalloc's are; jeprof scales each record by
// 1/(1 - exp(-(bytes/objects)/period)). heapdrift's weight of a sample of s bytes is
// exactly 1/(1 - exp(-s/period)) (docs/SAMPLING.md), so one record is written per
// (stack, sample size): each record's mean is then its size, and jeprof's totals are
// heapdrift's estimates. Exact mode (--sample-rate 1) is written as period 0, which
// jeprof leaves unscaled. Samples of 0 bytes (estimated 0 bytes) are left out: jeprof
// would divide by zero on them.
#ifndef HEAPDRIFT_ANALYZER_EXPORT_JEPROF_EXPORT_H
#define HEAPDRIFT_ANALYZER_EXPORT_JEPROF_EXPORT_H

#include <string>

#include "export_profile.h"

namespace heapdrift {

std::string jeprof_heap_profile(const ExportProfile& profile);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_EXPORT_JEPROF_EXPORT_H
