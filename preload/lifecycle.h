// What the hooks (interpose.cpp) share with the shim's start-up (lifecycle.cpp).
#ifndef HEAPDRIFT_PRELOAD_LIFECYCLE_H
#define HEAPDRIFT_PRELOAD_LIFECYCLE_H

#include <atomic>

#include "recorder.h"

namespace heapdrift {

// True once start-up succeeded: from then on the hooks record. Never reset, except in
// a fork child whose writer could not start.
extern std::atomic<bool> g_live;
// Created at start-up in static storage and never destroyed: threads may still
// allocate while the process exits.
extern Recorder* g_recorder;
// The live table's filter, which every free() reads first. Start-up pins free(NULL)
// and the bootstrap arena in it before any thread can take the fast path (PageFilter),
// so that free() tests neither.
extern PageFilter g_page_filter;

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_LIFECYCLE_H
