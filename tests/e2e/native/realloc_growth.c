// An append-only log buffer that is never flushed: one block, grown by realloc by half
// its size each time it is full; beside it, blocks that are freed at once.
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char* log_buffer;
static size_t used, capacity;

__attribute__((noinline)) void log_append(const char* text, size_t n) {
  if (used + n > capacity) {
    capacity = capacity ? capacity + capacity / 2 : 4096;
    log_buffer = realloc(log_buffer, capacity);
    if (!log_buffer) abort();
  }
  memcpy(log_buffer + used, text, n);
  used += n;
}

int main(void) {
  char line[200];
  memset(line, 'x', sizeof line);
  const struct timespec pause = {0, 1000000};
  // 8,000 rounds of 4,000 bytes (32 MB in the end, however slow the machine), some 3 s.
  for (int round = 0; round < 8000; ++round) {
    for (int k = 0; k < 20; ++k) log_append(line, sizeof line);
    void* churn[50];
    for (int k = 0; k < 50; ++k) churn[k] = malloc(100 + k * 10);
    for (int k = 0; k < 50; ++k) free(churn[k]);
    if (round % 3 == 0) nanosleep(&pause, NULL);
  }
  return used > 0 ? 0 : 1;
}
