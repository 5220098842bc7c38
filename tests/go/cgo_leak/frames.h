// A C library that a Go service calls through cgo: a cache of encoded frames that
// keeps every frame it is given (the leak), a scratch buffer made and freed per call,
// and a table allocated once and held (neither is a leak).
#ifndef CGO_LEAK_FRAMES_H
#define CGO_LEAK_FRAMES_H

#include <stddef.h>

void frame_cache_retain(const char* data, size_t size);
void encode_scratch(size_t size);
void lookup_table_init(size_t size);

#endif
