// Per-call cost of a malloc+free pair (Google Benchmark), run by scripts/bench without
// the shim, with it at the default rate, and with it at a rate so large that nothing
// is sampled: the gap to the plain call is what the shim's fast path costs.
#include <benchmark/benchmark.h>

#include <cstdlib>

namespace {

void BM_malloc_free(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = malloc(size);
    benchmark::DoNotOptimize(p);  // the pointer escapes: the pair cannot be elided
    free(p);
  }
}
BENCHMARK(BM_malloc_free)->Arg(16)->Arg(64)->Arg(256)->Arg(1024)->Arg(4096);

// Sizes varying from call to call (16-4096 B, as in the churn benchmark), so that
// the allocator's per-size caches do not make every call the same.
void BM_malloc_free_mixed(benchmark::State& state) {
  uint64_t x = 88172645463325252ull;
  for (auto _ : state) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    void* p = malloc(16 + x % 4081);
    benchmark::DoNotOptimize(p);
    free(p);
  }
}
BENCHMARK(BM_malloc_free_mixed);

}  // namespace

BENCHMARK_MAIN();
