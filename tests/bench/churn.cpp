// The churn benchmark of issue #5 (docs/PERFORMANCE.md): threads doing random-size
// malloc/free (16-4096 B) through a ring of live pointers, beside a slow leak from a
// call site of its own and a 64 MiB block held all along. It prints the exact bytes
// the leak holds at exit, so that a profiler's estimate of that site can be checked.
//
//   bench_churn [--threads N] [--ops N] [--ring N] [--sites K] [--depth D]
//               [--leak-every N] [--stable-mib M] [--seed S]
//
// --ops is the total number of malloc/free pairs, split evenly over the threads;
// --ring the live pointers per thread; --sites the number of distinct call sites the
// churn allocates from (template instances, picked at random); --depth the number of
// noinline recursive frames each churn allocation goes through first. Leak sizes are
// jemalloc size classes, so a profiler that records usable sizes sees the same bytes.
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

constexpr size_t kMaxSites = 1024;

struct Options {
  unsigned threads = 2;
  uint64_t ops = 30'000'000;
  size_t ring = 1024;
  size_t sites = 1;
  int depth = 0;
  uint64_t leak_every = 2048;
  size_t stable_mib = 64;
  uint64_t seed = 1;
};

uint64_t next(uint64_t& s) {  // xorshift64*: deterministic work, no allocation
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545F4914F6CDD1Dull;
}

// One distinct call site per instance: its own return address into its own function.
template <size_t I>
__attribute__((noinline)) void* churn_site(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");  // no tail call: this frame stays on the stack
  return p;
}

using SiteFn = void* (*)(size_t);
template <size_t... I>
constexpr std::array<SiteFn, sizeof...(I)> make_sites(std::index_sequence<I...>) {
  return {&churn_site<I>...};
}
constexpr auto kSites = make_sites(std::make_index_sequence<kMaxSites>{});

// `depth` noinline frames between the thread's loop and the allocation site.
__attribute__((noinline)) void* descend(int depth, size_t site, size_t n) {
  if (depth <= 0) return kSites[site](n);
  void* p = descend(depth - 1, site, n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

void* volatile g_sink;  // keeps the leaked blocks' malloc calls from being optimised out

// The leak: its own call site, never freed.
__attribute__((noinline)) void* churn_leak_site(size_t n) {
  void* p = malloc(n);
  if (p) static_cast<char*>(p)[0] = 1;
  g_sink = p;
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

__attribute__((noinline)) void* churn_stable_site(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

// jemalloc size classes from 64 B to 2 KiB.
constexpr size_t kLeakSizes[] = {64,  80,  96,  112, 128, 160, 192, 224,  256,  320,  384,  448,
                                 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048};

struct ThreadResult {
  uint64_t leak_bytes = 0;
  uint64_t leak_blocks = 0;
};

void churn_thread(const Options& o, unsigned index, uint64_t ops, ThreadResult* out) {
  uint64_t rng = (o.seed + 1) * 0x9E3779B97F4A7C15ull + index * 0xD1B54A32D192ED03ull + 1;
  std::vector<void*> ring(o.ring, nullptr);
  ThreadResult r;
  for (uint64_t i = 0; i < ops; ++i) {
    uint64_t x = next(rng);
    size_t slot = static_cast<size_t>(x % o.ring);
    size_t size = 16 + static_cast<size_t>((x >> 20) % 4081);
    size_t site = o.sites > 1 ? static_cast<size_t>((x >> 40) % o.sites) : 0;
    free(ring[slot]);
    void* p = descend(o.depth, site, size);
    if (!p) abort();
    static_cast<char*>(p)[0] = static_cast<char>(i);
    ring[slot] = p;
    if (o.leak_every && (i + 1) % o.leak_every == 0) {
      size_t n = kLeakSizes[(x >> 52) % (sizeof(kLeakSizes) / sizeof(kLeakSizes[0]))];
      if (!churn_leak_site(n)) abort();
      r.leak_bytes += n;
      r.leak_blocks++;
    }
  }
  for (void* p : ring) free(p);
  *out = r;
}

bool parse_u64(const char* text, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || *end) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    uint64_t v = 0;
    if (i + 1 >= argc || !parse_u64(argv[i + 1], &v)) {
      std::fprintf(stderr, "bench_churn: '%s' needs an unsigned integer argument\n", a.c_str());
      return 2;
    }
    ++i;
    if (a == "--threads" && v >= 1 && v <= 1024) o.threads = static_cast<unsigned>(v);
    else if (a == "--ops" && v >= 1) o.ops = v;
    else if (a == "--ring" && v >= 1) o.ring = v;
    else if (a == "--sites" && v >= 1 && v <= kMaxSites) o.sites = v;
    else if (a == "--depth" && v <= 1000) o.depth = static_cast<int>(v);
    else if (a == "--leak-every") o.leak_every = v;
    else if (a == "--stable-mib") o.stable_mib = v;
    else if (a == "--seed") o.seed = v;
    else {
      std::fprintf(stderr, "bench_churn: bad option or value: %s %s\n", a.c_str(), argv[i]);
      return 2;
    }
  }

  size_t stable_bytes = o.stable_mib << 20;
  void* stable = stable_bytes ? churn_stable_site(stable_bytes) : nullptr;
  if (stable_bytes && !stable) abort();
  if (stable) std::memset(stable, 0x5a, stable_bytes);  // resident, as a real cache would be

  std::vector<ThreadResult> results(o.threads);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < o.threads; ++t) {
    uint64_t ops = o.ops / o.threads + (t < o.ops % o.threads ? 1 : 0);
    threads.emplace_back(churn_thread, std::cref(o), t, ops, &results[t]);
  }
  for (auto& t : threads) t.join();

  ThreadResult total;
  for (const auto& r : results) {
    total.leak_bytes += r.leak_bytes;
    total.leak_blocks += r.leak_blocks;
  }
  std::printf("ops %llu\nthreads %u\nleak_bytes %llu\nleak_blocks %llu\nstable_bytes %zu\n",
              static_cast<unsigned long long>(o.ops), o.threads,
              static_cast<unsigned long long>(total.leak_bytes),
              static_cast<unsigned long long>(total.leak_blocks), stable_bytes);
  // The stable block stays live to the end, like the leak: a snapshot at exit holds both.
  return 0;
}
