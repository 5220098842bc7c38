#include "memory_stats.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>

#include "clock.h"
#include "module_map.h"

namespace heapdrift {
namespace {

bool g_malloc_is_the_programs = false;  // set before the writer thread starts

using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);

MallctlFn g_mallctl = nullptr;

void find_mallctl() { g_mallctl = reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl")); }

// jemalloc's mallctl where jemalloc is the allocator behind the shim, found once.
MallctlFn jemalloc_mallctl() {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, find_mallctl);
  return g_mallctl;
}

void add_jemalloc_stats(MallctlFn mallctl, MemoryStats* stats) {
  // Statistics are cached by jemalloc until the epoch is bumped.
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  for (const char* name : {"allocated", "active", "resident", "mapped", "retained"}) {
    size_t value = 0;
    len = sizeof(value);
    std::string key = std::string("stats.") + name;
    if (mallctl(key.c_str(), &value, &len, nullptr, 0) == 0) {
      stats->values.emplace_back(std::string("jemalloc.") + name, value);
    }
  }
  unsigned arenas = 0;
  len = sizeof(arenas);
  if (mallctl("arenas.narenas", &arenas, &len, nullptr, 0) == 0) {
    stats->values.emplace_back("jemalloc.arena_count", arenas);
  }
}

// malloc_info's XML: one <heap nr="N"> element per arena, then the totals of them all,
// in bytes (mallinfo's fields are ints, which wrap at 2 GiB; mallinfo2 walks the
// arenas as malloc_info does, and has no count of them). The free bytes are those of
// the free chunks, fast and other, the top chunks among them.
bool add_glibc_stats(MemoryStats* stats) {
  char* text = nullptr;
  size_t size = 0;
  FILE* f = open_memstream(&text, &size);
  if (!f) return false;
  malloc_info(0, f);
  fclose(f);
  if (!text) return false;
  uint64_t arenas = 0;
  const char* totals = text;
  for (const char* p = text; (p = strstr(p, "<heap nr=")); ++p) ++arenas;
  for (const char* p = text; (p = strstr(p, "</heap>")); ++p) totals = p;
  auto size_of = [totals](const char* element, uint64_t* out) {
    const char* at = strstr(totals, element);
    const char* value = at ? strstr(at, "size=\"") : nullptr;
    if (!value) return false;
    *out = strtoull(value + 6, nullptr, 10);
    return true;
  };
  uint64_t fast = 0, rest = 0, mmap = 0, system = 0;
  const bool complete = size_of("<total type=\"fast\"", &fast) && size_of("<total type=\"rest\"", &rest) &&
                        size_of("<total type=\"mmap\"", &mmap) && size_of("<system type=\"current\"", &system);
  free(text);
  if (!complete || fast + rest > system) return false;
  stats->values.emplace_back("malloc.arena_bytes", system);
  stats->values.emplace_back("malloc.mmap_bytes", mmap);
  stats->values.emplace_back("malloc.in_use_bytes", system - fast - rest);
  stats->values.emplace_back("malloc.free_bytes", fast + rest);
  stats->values.emplace_back("malloc.arena_count", arenas);
  return true;
}

}  // namespace

MemoryStats MemoryStatsReader::read(bool at_exit) {
  MemoryStats stats;
  // RSS and its split from the kernel's per-process counters in /proc/self/status, not
  // from /proc/self/smaps_rollup: that one walks every page table of the process under
  // its mmap lock, milliseconds per hundred MiB of RSS (4 ms at cc1plus's exit), which
  // a large JVM would pay at every snapshot while its own mmap calls wait.
  static constexpr std::pair<const char*, const char*> kStatusFields[] = {
      {"VmSize:", "vm_bytes"},          {"VmRSS:", "rss_bytes"},
      {"RssAnon:", "rss_anon_bytes"},   {"RssFile:", "rss_file_bytes"},
      {"RssShmem:", "rss_shmem_bytes"}, {"VmSwap:", "swap_bytes"},
  };
  std::string status;
  if (read_small_file("/proc/self/status", &status)) {
    for (const auto& [field, key] : kStatusFields) {
      size_t at = status.find(field);
      unsigned long long kib;
      if (at != std::string::npos && sscanf(status.c_str() + at + strlen(field), "%llu kB", &kib) == 1) {
        stats.values.emplace_back(key, kib * 1024);
      }
    }
    // The threads running now, beside the thread stacks in the maps: a thread that ended
    // unjoined leaves its stack mapped.
    static constexpr char kThreads[] = "\nThreads:";
    size_t at = status.find(kThreads);
    unsigned long long threads;
    if (at != std::string::npos && sscanf(status.c_str() + at + sizeof(kThreads) - 1, "%llu", &threads) == 1) {
      stats.values.emplace_back("process_threads", threads);
    }
  }

  // The allocator behind the shim: jemalloc exports mallctl; glibc has malloc_info.
  if (g_malloc_is_the_programs) {
    stats.allocator = "own";
  } else if (MallctlFn mallctl = jemalloc_mallctl()) {
    stats.allocator = "jemalloc";
    add_jemalloc_stats(mallctl, &stats);
  } else if (slow_walk_ns_ && !at_exit) {
    stats.allocator = "glibc";
    stats.values.emplace_back("malloc.left_out_after_walk_us", slow_walk_ns_ / 1000);
  } else {
    // On the thread's CPU clock: its waits for each arena's lock and for a core (in a
    // busy JVM, a hundred times its CPU time) would make a cheap walk look dear.
    const uint64_t start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    const bool walked = add_glibc_stats(&stats);
    const uint64_t took = clock_ns(CLOCK_THREAD_CPUTIME_ID) - start;
    stats.allocator = walked ? "glibc" : "unknown";
    if (walked) stats.values.emplace_back("malloc.walk_us", took / 1000);
    if (took > kWalkBudgetNs && !slow_walk_ns_) slow_walk_ns_ = took;
  }
  return stats;
}

void set_malloc_is_the_programs() { g_malloc_is_the_programs = true; }

void find_allocator_queries() { jemalloc_mallctl(); }

}  // namespace heapdrift
