// dlerror_program WHEN: a dlopen that fails leaves its message for dlerror(), which
// glibc keeps for the thread until it is asked for, and formats into a block it
// mallocs. Any dl call the shim made from inside one of those mallocs would free
// glibc's record of the error under it (dlerror goes on writing into it), and one made
// from an allocation in between would lose the message. WHEN says where the program's
// allocations fall, under a small sampling rate: `between` the failed dlopen and
// dlerror(), or only `inside` them.
//
// Checks each message, then reuses the freed small blocks so that a corrupted free
// list shows; prints `checked <messages>` and exits 0, or exits 1 saying what was wrong.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void* volatile g_sink;  // keeps the allocations

static const char* const kMissing = "/nonexistent/heapdrift-dlerror-test.so";

static int check_message(const char* message) {
  if (message == NULL) {
    fprintf(stderr, "dlerror() returned no message after a dlopen that failed\n");
    return 0;
  }
  if (strstr(message, kMissing) == NULL) {
    fprintf(stderr, "dlerror() returned \"%s\", which does not name %s\n", message, kMissing);
    return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 2 || (strcmp(argv[1], "between") != 0 && strcmp(argv[1], "inside") != 0)) {
    fprintf(stderr, "usage: dlerror_program between|inside\n");
    return 2;
  }
  const int between = strcmp(argv[1], "between") == 0;
  int checked = 0;
  for (int round = 0; round < 3; ++round) {
    if (dlopen(kMissing, RTLD_NOW) != NULL) return 2;
    if (between) {
      for (int i = 0; i < 256; ++i) {
        g_sink = malloc(256);
        free(g_sink);
      }
    }
    if (!check_message(dlerror())) return 1;
    if (dlerror() != NULL) {
      fprintf(stderr, "dlerror() returned a message twice\n");
      return 1;
    }
    ++checked;
    void* blocks[64];
    for (int i = 0; i < 64; ++i) g_sink = blocks[i] = malloc(24);
    for (int i = 0; i < 64; ++i) free(blocks[i]);
  }
  printf("checked %d\n", checked);
  return 0;
}
