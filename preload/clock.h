// The shim's clocks, in nanoseconds: CLOCK_MONOTONIC for sample times (a vDSO call, no
// system call), CLOCK_REALTIME for the wall time of snapshots.
#ifndef HEAPDRIFT_PRELOAD_CLOCK_H
#define HEAPDRIFT_PRELOAD_CLOCK_H

#include <cstdint>
#include <ctime>

namespace heapdrift {

inline uint64_t clock_ns(clockid_t clock_id) {
  timespec ts;
  clock_gettime(clock_id, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_CLOCK_H
