// The longest pause an allocating thread sees while snapshots are written: run in
// exact mode, it first makes --stacks distinct allocation stacks (one live 64-byte
// block each), then allocates in a loop, recording the largest gap between two
// consecutive malloc calls, first for --quiet-ms without snapshots, then while it asks
// for --snapshots snapshots, one after the other, through the shim's control FIFO
// ($HEAPDRIFT_OUTPUT/<pid>/control, docs/FORMAT.md). Without HEAPDRIFT_OUTPUT it only
// measures the quiet phase twice (the run without the shim); with --busy 1, beside a
// thread that spins through the second phase: a core taken, as the shim's writer takes
// one while it writes, but no lock nor memory shared with the allocating thread.
// With --fragment N, each allocating thread first leaves N free chunks between blocks it
// keeps in its glibc arena, and then allocates 2 KiB blocks, past glibc's per-thread
// cache, so that every call takes the arena's lock: the lock that glibc's statistics
// (malloc_info), which a snapshot reads, hold while they count the free chunks. The
// longest gap is also given for the first snapshot alone and for the others together.
//
//   bench_snapshot_pause [--stacks N] [--snapshots N] [--quiet-ms MS] [--busy 0|1] [--fragment N]
//
// Distinct stacks come from two levels of template instances: outer<I> calls inner<J>
// through one call instruction per I, so the (inner, outer) return-address pairs
// give kOuter * kInner different stacks.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

constexpr size_t kOuter = 320, kInner = 320;  // 102,400 stacks at most

using AllocFn = void* (*)(size_t);

template <size_t J>
__attribute__((noinline)) void* inner(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}
template <size_t... J>
constexpr std::array<AllocFn, sizeof...(J)> make_inner(std::index_sequence<J...>) {
  return {&inner<J>...};
}
constexpr auto kInnerFns = make_inner(std::make_index_sequence<kInner>{});

using OuterFn = void* (*)(size_t, size_t);
template <size_t I>
__attribute__((noinline)) void* outer(size_t j, size_t n) {
  void* p = kInnerFns[j](n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}
template <size_t... I>
constexpr std::array<OuterFn, sizeof...(I)> make_outer(std::index_sequence<I...>) {
  return {&outer<I>...};
}
constexpr auto kOuterFns = make_outer(std::make_index_sequence<kOuter>{});

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

constexpr size_t kMaxSnapshots = 64;

struct Gaps {
  std::array<uint64_t, kMaxSnapshots + 1> max_ns_in{};  // by snapshot, 1 on (0: before the first)
  uint64_t calls = 0;
  uint64_t over_100us = 0;
  uint64_t over_1ms = 0;
};

// Allocates until `stop` is set; the gap is measured between consecutive malloc calls.
// With `fragment` free chunks made first (sizes past the per-thread cache, each between
// two blocks kept), released at the end so that the next thread's arena starts clean.
// `snapshot` is the number of the snapshot being asked for and written.
Gaps allocate_until(const std::atomic<bool>& stop, size_t fragment, std::atomic<bool>& ready,
                    const std::atomic<size_t>& snapshot) {
  std::vector<void*> kept, freed;
  kept.reserve(fragment);
  freed.reserve(fragment);
  for (size_t i = 0; i < fragment; ++i) {
    kept.push_back(malloc(1100 + (i * 37) % 500));
    freed.push_back(malloc(1100 + (i * 53) % 500));
  }
  for (void* p : freed) free(p);
  const size_t size = fragment ? 2048 : 64;
  free(malloc(size));  // glibc sorts the chunks just freed into its bins here
  ready = true;
  Gaps g;
  uint64_t prev = now_ns();
  while (!stop.load(std::memory_order_relaxed)) {
    void* p = malloc(size);
    asm volatile("" : : "r"(p) : "memory");
    free(p);
    uint64_t t = now_ns();
    uint64_t gap = t - prev;
    prev = t;
    g.calls++;
    uint64_t& in = g.max_ns_in[snapshot.load(std::memory_order_relaxed)];
    in = std::max(in, gap);
    if (gap > 100000) g.over_100us++;
    if (gap > 1000000) g.over_1ms++;
  }
  for (void* p : kept) free(p);
  return g;
}

size_t count_snapshots(const std::string& dir) {
  size_t n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) n += strncmp(e->d_name, "snap-", 5) == 0;
    closedir(d);
  }
  return n;
}

void print(const char* phase, const Gaps& g) {
  const uint64_t max_ns = *std::max_element(g.max_ns_in.begin(), g.max_ns_in.end());
  std::printf("%s_max_gap_us %.1f\n%s_calls %llu\n%s_gaps_over_100us %llu\n%s_gaps_over_1ms %llu\n", phase,
              max_ns / 1e3, phase, (unsigned long long)g.calls, phase, (unsigned long long)g.over_100us,
              phase, (unsigned long long)g.over_1ms);
}

}  // namespace

int main(int argc, char** argv) {
  size_t stacks = 100000, snapshots = 5, quiet_ms = 2000, fragment = 0;
  bool busy_core = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    size_t v = strtoull(argv[i + 1], nullptr, 10);
    if (a == "--stacks") stacks = std::min(v, kOuter * kInner);
    else if (a == "--snapshots") snapshots = std::min(v, kMaxSnapshots);
    else if (a == "--quiet-ms") quiet_ms = v;
    else if (a == "--busy") busy_core = v != 0;
    else if (a == "--fragment") fragment = v;
    else {
      std::fprintf(stderr, "bench_snapshot_pause: unknown option %s\n", a.c_str());
      return 2;
    }
  }

  std::vector<void*> live;
  live.reserve(stacks);
  for (size_t k = 0; k < stacks; ++k) live.push_back(kOuterFns[k / kInner](k % kInner, 64));
  std::printf("stacks %zu\n", stacks);

  std::atomic<bool> stop{false}, ready{false};
  std::atomic<size_t> snapshot{0};
  auto wait_until_ready = [&] {
    while (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ready = false;
  };
  Gaps quiet;
  std::thread allocator([&] { quiet = allocate_until(stop, fragment, ready, snapshot); });
  wait_until_ready();
  std::this_thread::sleep_for(std::chrono::milliseconds(quiet_ms));
  stop = true;
  allocator.join();
  print("quiet", quiet);

  const char* out = getenv("HEAPDRIFT_OUTPUT");
  std::string dir = out && *out ? std::string(out) + "/" + std::to_string(getpid()) : "";
  stop = false;
  Gaps busy;
  std::thread busy_allocator([&] { busy = allocate_until(stop, fragment, ready, snapshot); });
  wait_until_ready();
  std::thread spinner;  // --busy 1 without the shim: a core taken through this phase
  std::vector<double> write_ms;
  if (!dir.empty()) {
    int fd = open((dir + "/control").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      std::fprintf(stderr, "bench_snapshot_pause: cannot open %s/control: %s\n", dir.c_str(), strerror(errno));
      return 1;
    }
    for (size_t s = 0; s < snapshots; ++s) {
      size_t before = count_snapshots(dir);
      snapshot = s + 1;
      uint64_t t0 = now_ns();
      if (write(fd, "s", 1) != 1) return 1;
      while (count_snapshots(dir) == before) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      write_ms.push_back((now_ns() - t0) / 1e6);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    close(fd);
  } else {
    if (busy_core) {
      spinner = std::thread([&] {
        while (!stop.load(std::memory_order_relaxed)) asm volatile("pause");
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(quiet_ms));
  }
  stop = true;
  busy_allocator.join();
  if (spinner.joinable()) spinner.join();
  print("snapshots", busy);
  std::sort(write_ms.begin(), write_ms.end());
  std::printf("snapshots_taken %zu\n", write_ms.size());
  if (!write_ms.empty()) {
    std::printf("snapshot_write_ms_median %.1f\nsnapshot_write_ms_max %.1f\n", write_ms[write_ms.size() / 2],
                write_ms.back());
    const uint64_t later = *std::max_element(busy.max_ns_in.begin() + 2, busy.max_ns_in.end());
    std::printf("first_snapshot_max_gap_us %.1f\nlater_snapshots_max_gap_us %.1f\n", busy.max_ns_in[1] / 1e3,
                later / 1e3);
  }
  for (void* p : live) free(p);
  return 0;
}
