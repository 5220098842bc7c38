// The C interface between dlopen_leak (the host program) and libleaky_plugin.so.
// The host does not link against the plugin: it dlopen()s it and looks these
// entry points up by name with dlsym().

#ifndef HEAPDRIFT_SAMPLES_DLOPEN_LEAK_PLUGIN_API_H
#define HEAPDRIFT_SAMPLES_DLOPEN_LEAK_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

extern "C" {

struct leaky_plugin_request {
  uint64_t session_id;  // one of a few hundred client sessions
  uint64_t sequence;    // request number, unique over the process's life
  const char* body;
  size_t body_size;
};

struct leaky_plugin_response {
  char* data;  // caller-owned buffer
  size_t capacity;
  size_t size;  // set by the plugin
};

struct leaky_plugin_stats {
  size_t remembered_records;  // entries in the plugin's session cache
  size_t remembered_bytes;    // their record bytes
};

// Handles one request; returns 0 on success.
typedef int (*leaky_plugin_handle_request_fn)(const struct leaky_plugin_request* request,
                                              struct leaky_plugin_response* response);
typedef void (*leaky_plugin_get_stats_fn)(struct leaky_plugin_stats* stats);

}  // extern "C"

#define LEAKY_PLUGIN_FILE_NAME "libleaky_plugin.so"
#define LEAKY_PLUGIN_HANDLE_REQUEST "leaky_plugin_handle_request"
#define LEAKY_PLUGIN_GET_STATS "leaky_plugin_get_stats"

#endif  // HEAPDRIFT_SAMPLES_DLOPEN_LEAK_PLUGIN_API_H
