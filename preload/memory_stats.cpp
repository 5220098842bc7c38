#include "memory_stats.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <malloc.h>

#include "module_map.h"

namespace heapdrift {
namespace {

bool g_malloc_is_the_programs = false;  // set before the writer thread starts

using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);
using Mallinfo2Fn = struct mallinfo2 (*)();

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
// in bytes (mallinfo's fields are ints, which wrap at 2 GiB).
struct GlibcTotals {
  uint64_t arenas = 0;
  bool complete = false;  // every figure below was found
  uint64_t system = 0, mmap = 0, free = 0;
};

GlibcTotals glibc_totals() {
  GlibcTotals t;
  char* text = nullptr;
  size_t size = 0;
  FILE* f = open_memstream(&text, &size);
  if (!f) return t;
  malloc_info(0, f);
  fclose(f);
  if (!text) return t;
  const char* totals = text;
  for (const char* p = text; (p = strstr(p, "<heap nr=")); ++p) ++t.arenas;
  for (const char* p = text; (p = strstr(p, "</heap>")); ++p) totals = p;
  auto size_of = [totals](const char* element, uint64_t* out) {
    const char* at = strstr(totals, element);
    const char* value = at ? strstr(at, "size=\"") : nullptr;
    if (!value) return false;
    *out = strtoull(value + 6, nullptr, 10);
    return true;
  };
  uint64_t fast = 0, rest = 0;
  t.complete = size_of("<total type=\"fast\"", &fast) && size_of("<total type=\"rest\"", &rest) &&
               size_of("<total type=\"mmap\"", &t.mmap) && size_of("<system type=\"current\"", &t.system);
  t.free = fast + rest;
  free(text);
  return t;
}

// mallinfo2 is glibc 2.33's; before it, the same figures come from malloc_info's totals.
bool add_glibc_stats(Mallinfo2Fn mallinfo2_fn, MemoryStats* stats) {
  GlibcTotals totals = glibc_totals();
  if (mallinfo2_fn) {
    struct mallinfo2 mi = mallinfo2_fn();
    stats->values.emplace_back("malloc.arena_bytes", mi.arena);
    stats->values.emplace_back("malloc.mmap_bytes", mi.hblkhd);
    stats->values.emplace_back("malloc.in_use_bytes", mi.uordblks);
    stats->values.emplace_back("malloc.free_bytes", mi.fordblks);
    stats->values.emplace_back("malloc.top_pad_bytes", mi.keepcost);
  } else if (totals.complete && totals.free <= totals.system) {
    stats->values.emplace_back("malloc.arena_bytes", totals.system);
    stats->values.emplace_back("malloc.mmap_bytes", totals.mmap);
    stats->values.emplace_back("malloc.in_use_bytes", totals.system - totals.free);
    stats->values.emplace_back("malloc.free_bytes", totals.free);
  } else {
    return false;
  }
  stats->values.emplace_back("malloc.arena_count", totals.arenas);
  return true;
}

}  // namespace

MemoryStats read_memory_stats() {
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
  } else if (auto mallctl = reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl"))) {
    stats.allocator = "jemalloc";
    add_jemalloc_stats(mallctl, &stats);
  } else if (add_glibc_stats(reinterpret_cast<Mallinfo2Fn>(dlsym(RTLD_DEFAULT, "mallinfo2")), &stats)) {
    stats.allocator = "glibc";
  } else {
    stats.allocator = "unknown";
  }
  return stats;
}

void set_malloc_is_the_programs() { g_malloc_is_the_programs = true; }

}  // namespace heapdrift
