// A big process for the analyzer benchmark, run under the real shim in exact mode:
// allocations from up to 131,072 distinct call stacks (paths through 17 levels of
// two-way noinline calls, chosen by the bits of a path number), a ring of live blocks
// that churns, a stable set held all along, and one site in 2,000 that leaks. Between phases
// it asks its own shim for a snapshot through the control FIFO and waits for the file,
// so a run writes exactly SNAPSHOTS snapshots (the last at exit) whatever the timing.
//
// usage: many_stacks STACKS SNAPSHOTS [ALLOCS_PER_PHASE] [RING]
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kLevels = 17;  // 2^17 = 131,072 paths

// Level L picks its callee by bit L of the path: each path is its own chain of return
// addresses. The empty asm after each call keeps it a call (no tail call) and the
// functions apart (no identical-code folding).
template <int L>
struct Level {
  [[gnu::noinline]] static void* left(uint32_t path, size_t size);
  [[gnu::noinline]] static void* right(uint32_t path, size_t size);
  static void* next(uint32_t path, size_t size) {
    if constexpr (L + 1 == kLevels) {
      return std::malloc(size);
    } else {
      return (path >> (L + 1) & 1) ? Level<L + 1>::right(path, size) : Level<L + 1>::left(path, size);
    }
  }
};

template <int L>
void* Level<L>::left(uint32_t path, size_t size) {
  void* p = next(path, size);
  asm volatile("" : "+r"(p)::"memory");
  return p;
}

template <int L>
void* Level<L>::right(uint32_t path, size_t size) {
  void* p = next(path, size + 0);
  asm volatile("nop" : "+r"(p)::"memory");
  return p;
}

void* allocate(uint32_t path, size_t size) {
  return (path & 1) ? Level<0>::right(path, size) : Level<0>::left(path, size);
}

int count_snapshots(const std::string& dir) {
  int n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      size_t len = std::strlen(e->d_name);
      n += std::strncmp(e->d_name, "snap-", 5) == 0 && len > 4 && std::strcmp(e->d_name + len - 4, ".hds") == 0;
    }
    closedir(d);
  }
  return n;
}

// Asks the shim for a snapshot and waits until it is on disk (no-op without the shim).
void snapshot_now() {
  const char* out = std::getenv("HEAPDRIFT_OUTPUT");
  if (!out) return;
  std::string dir = std::string(out) + "/" + std::to_string(getpid());
  int before = count_snapshots(dir);
  int fd = open((dir + "/control").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    std::perror("many_stacks: control FIFO");
    std::exit(1);
  }
  char byte = 's';
  if (write(fd, &byte, 1) != 1) std::perror("many_stacks: control FIFO");
  close(fd);
  while (count_snapshots(dir) == before) std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s STACKS SNAPSHOTS [ALLOCS_PER_PHASE] [RING]\n", argv[0]);
    return 2;
  }
  const uint32_t stacks = std::strtoul(argv[1], nullptr, 10);
  const int snapshots = std::atoi(argv[2]);
  const size_t per_phase = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 40000;
  const size_t ring_size = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 100000;
  if (stacks < 2 || stacks > (1u << kLevels) || snapshots < 1 || ring_size == 0) {
    std::fprintf(stderr, "many_stacks: STACKS must be 2..%u, SNAPSHOTS >= 1\n", 1u << kLevels);
    return 2;
  }
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  auto random = [&rng] {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
  };
  // Paths in a scrambled order that visits every one of them (the multiplier is odd
  // and prime to STACKS unless STACKS is a multiple of it).
  uint64_t counter = 0;
  auto next_path = [&] { return static_cast<uint32_t>((counter++ * 2654435761ull) % stacks); };
  // One path in 2,000 leaks: a few dozen sites keep two blocks per phase.
  constexpr uint32_t kLeakEvery = 2000;

  std::vector<void*> stable, leaked, ring(ring_size, nullptr);
  for (size_t i = 0; i < ring_size / 4; ++i) stable.push_back(allocate(next_path(), 64 + random() % 4096));
  for (int phase = 0; phase + 1 < snapshots; ++phase) {
    for (size_t i = 0; i < per_phase; ++i) {
      void*& slot = ring[random() % ring_size];
      std::free(slot);
      slot = allocate(next_path(), 16 + random() % 1024);
    }
    for (uint32_t path = 1; path < stacks; path += kLeakEvery) {
      for (int i = 0; i < 2; ++i) leaked.push_back(allocate(path, 256));
    }
    snapshot_now();
  }
  std::printf("many_stacks: %u stacks, %d snapshots, %zu leaked blocks\n", stacks, snapshots, leaked.size());
  return 0;  // the shim writes the last snapshot at exit, the ring still live
}
