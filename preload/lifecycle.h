// What the hooks (interpose.cpp) share with the shim's start-up (lifecycle.cpp).
#ifndef HEAPDRIFT_PRELOAD_LIFECYCLE_H
#define HEAPDRIFT_PRELOAD_LIFECYCLE_H

#include <sys/types.h>

#include <atomic>

#include "recorder.h"

namespace heapdrift {

// The globals the hooks read are declared hidden, as they are defined (-fvisibility only
// reaches definitions): the hooks then address them relative to the instruction
// pointer, not through the GOT, one instruction less on every call.

// True once start-up succeeded: from then on the hooks record. Never reset, except in
// a fork child whose writer could not start.
extern std::atomic<bool> g_live __attribute__((visibility("hidden")));
// Created at start-up in static storage and never destroyed: threads may still
// allocate while the process exits.
extern Recorder* g_recorder __attribute__((visibility("hidden")));
// The live table's filter, which every free() reads first. Start-up pins free(NULL)
// and the bootstrap arena in it before any thread can take the fast path (PageFilter),
// so that the fast path tests neither.
extern PageFilter g_page_filter __attribute__((visibility("hidden")));

// Makes `call` (a namespace change: namespaces.cpp), and when it fails with EINVAL,
// which the kernel says to a process with more than one thread for some changes, makes
// it again with the writer thread paused, then starts the writer again. Returns what
// the last call returned, with its errno.
long without_writer_thread(long (*call)(const void* args), const void* args);

// Gives this process's directory of the recording, and what is in it, to `uid`: the
// process is about to become that user, writer thread and all (user_switch.cpp).
void give_directory_to(uid_t uid);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_LIFECYCLE_H
