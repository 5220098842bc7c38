// thread_registry_leak: a small reproduction of a real native leak, plus decoys.
//
// The leak: a profiler agent keeps per-thread bookkeeping (native thread id ->
// thread name, native thread id -> Java thread id, and a ~4 KiB context per
// thread) and prunes it periodically against the list of live threads. The
// pruning condition is inverted, so it erases the entries of *live* threads and
// never those of dead ones. With short-lived threads coming and going (~750/s
// here) the registry grows by ~3 MiB/s for as long as the process runs.
//   leaking allocation site: ThreadRegistry::onThreadStart
//   the bug:                 ThreadRegistry::cleanup
//
// Decoys, which a leak detector must NOT report:
//   1. BoundedCache::put   - LRU cache of 64 KiB entries; fills to 16 MiB in ~1.5 s,
//                            then evicts one entry per insert: grows, then plateaus.
//   2. churnBurst          - ~13 MiB of 16-256 KiB temporary buffers per burst,
//                            allocated, touched and freed at once (~220 MB/s).
//   3. allocateBallast     - one 64 MiB buffer, resident, held for the whole run:
//                            large but flat (freed by releaseBallast at the end).
//
// Usage: thread_registry_leak SECONDS
// Build with frame pointers and -g (see CMakeLists.txt) so sampled stacks unwind
// and symbolize; the allocation sites are noinline/noclone so each keeps a stable,
// named frame at -O2.

#include <unistd.h>  // gettid

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

// Leak: ~4 KiB per thread at 750 threads/s, i.e. ~3 MiB/s.
constexpr std::size_t kContextBytes = 4 * KiB;
constexpr int kThreadsPerSecond = 750;
constexpr auto kSpawnTick = 8ms;  // 6 threads per tick
constexpr int kThreadsPerTick = kThreadsPerSecond * 8 / 1000;
constexpr auto kCleanupPeriod = 100ms;

// Decoy sizes.
constexpr std::size_t kCacheEntryBytes = 64 * KiB;
constexpr std::size_t kCacheCapacityBytes = 16 * MiB;  // 256 entries
constexpr int kCacheKeySpace = 1024;                   // 25% hit rate once full
constexpr auto kCacheTick = 4ms;                       // 250 lookups/s
constexpr int kChurnBuffersPerBurst = 96;              // ~13 MiB live at the burst's peak
constexpr std::size_t kChurnMinBytes = 16 * KiB;
constexpr std::size_t kChurnMaxBytes = 256 * KiB;
constexpr auto kChurnPause = 50ms;
constexpr std::size_t kBallastBytes = 64 * MiB;

// Keeps the compiler from proving a buffer unused and deleting the allocation.
static inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// ---------------------------------------------------------------------------
// The leak.

// The runtime's own list of live native threads (in the original, the JVM's).
class LiveThreads {
 public:
  void add(int tid) {
    std::lock_guard lock(mu_);
    tids_.insert(tid);
  }
  void remove(int tid) {
    std::lock_guard lock(mu_);
    tids_.erase(tid);
  }
  std::set<int> snapshot() const {
    std::lock_guard lock(mu_);
    return tids_;
  }

 private:
  mutable std::mutex mu_;
  std::set<int> tids_;
};

// The agent's per-thread bookkeeping.
class ThreadRegistry {
 public:
  // Called by every thread as it starts. The context is keyed by Java thread id,
  // which (unlike a native tid) is never reused, so the leaked contexts keep piling
  // up even after the kernel recycles tids (pid_max may be as low as 32768).
  __attribute__((noinline, noclone)) void onThreadStart(int tid, const std::string& name,
                                                        long java_id) {
    std::unique_ptr<char[]> context(new char[kContextBytes]);
    std::memset(context.get(), 0, kContextBytes);  // resident, as a used context is
    std::memcpy(context.get(), name.data(), std::min(name.size(), kContextBytes));

    std::lock_guard lock(mu_);
    thread_names_[tid] = name;
    thread_ids_[tid] = java_id;
    contexts_[java_id] = std::move(context);
  }

  // Called periodically with the tids of the threads that are alive right now;
  // meant to drop the entries of threads that have exited.
  __attribute__((noinline, noclone)) void cleanup(const std::set<int>& live_thread_ids) {
    std::lock_guard lock(mu_);
    // BUG (this is the leak): the condition is inverted. `!= end()` means "this
    // thread is still alive", so only live threads' entries are erased, and the
    // entries of dead threads, which are the ones to drop, stay forever. The fix
    // is `== live_thread_ids.end()` in both loops.
    auto name_itr = thread_names_.begin();
    while (name_itr != thread_names_.end()) {
      if (live_thread_ids.find(name_itr->first) != live_thread_ids.end()) {
        name_itr = thread_names_.erase(name_itr);
      } else {
        ++name_itr;
      }
    }
    auto id_itr = thread_ids_.begin();
    while (id_itr != thread_ids_.end()) {
      if (live_thread_ids.find(id_itr->first) != live_thread_ids.end()) {
        contexts_.erase(id_itr->second);
        id_itr = thread_ids_.erase(id_itr);
      } else {
        ++id_itr;
      }
    }
  }

  std::size_t contextCount() const {
    std::lock_guard lock(mu_);
    return contexts_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<int, std::string> thread_names_;               // native tid -> thread name
  std::map<int, long> thread_ids_;                        // native tid -> Java thread id
  std::map<long, std::unique_ptr<char[]>> contexts_;      // Java thread id -> context
};

// A short-lived worker: registers itself, does a moment of work, exits.
__attribute__((noinline, noclone)) static void workerMain(ThreadRegistry& registry,
                                                          LiveThreads& live, long java_id) {
  const int tid = static_cast<int>(gettid());
  live.add(tid);
  registry.onThreadStart(tid, "task-worker-" + std::to_string(java_id), java_id);
  // Alive for a moment, so that cleanup sometimes sees it (and wrongly erases it).
  std::this_thread::sleep_for(1ms);
  live.remove(tid);
}

// Starts kThreadsPerSecond threads per second, in small batches on a fixed schedule.
static long spawnerMain(ThreadRegistry& registry, LiveThreads& live,
                        const std::atomic<bool>& stop) {
  long next_java_id = 1;
  std::vector<std::thread> previous;
  auto next_tick = Clock::now();
  while (!stop.load(std::memory_order_relaxed)) {
    std::vector<std::thread> batch;
    batch.reserve(kThreadsPerTick);
    for (int i = 0; i < kThreadsPerTick; ++i) {
      batch.emplace_back(workerMain, std::ref(registry), std::ref(live), next_java_id++);
    }
    for (auto& t : previous) t.join();
    previous = std::move(batch);
    next_tick += kSpawnTick;
    // If we fell far behind (a slow or loaded machine), do not try to catch up in a burst.
    if (Clock::now() > next_tick + 100ms) next_tick = Clock::now();
    std::this_thread::sleep_until(next_tick);
  }
  for (auto& t : previous) t.join();
  return next_java_id - 1;
}

static void janitorMain(ThreadRegistry& registry, const LiveThreads& live,
                        const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(kCleanupPeriod);
    registry.cleanup(live.snapshot());
  }
}

// ---------------------------------------------------------------------------
// Decoy 1: a bounded LRU cache. Its live bytes grow for ~1 s, then stay at the cap.

class BoundedCache {
 public:
  explicit BoundedCache(std::size_t capacity_bytes)
      : max_entries_(capacity_bytes / kCacheEntryBytes) {}

  // Returns whether `key` was cached; a hit makes it the most recently used.
  bool get(int key) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    lru_.splice(lru_.begin(), lru_, it->second);
    return true;
  }

  __attribute__((noinline, noclone)) void put(int key) {
    while (index_.size() >= max_entries_) evictOldest();
    std::unique_ptr<char[]> value(new char[kCacheEntryBytes]);
    std::memset(value.get(), key & 0xff, kCacheEntryBytes);  // "load" the value
    lru_.push_front(Entry{key, std::move(value)});
    index_[key] = lru_.begin();
  }

 private:
  struct Entry {
    int key;
    std::unique_ptr<char[]> value;
  };

  __attribute__((noinline, noclone)) void evictOldest() {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }

  std::size_t max_entries_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<int, std::list<Entry>::iterator> index_;
};

static void cacheMain(const std::atomic<bool>& stop) {
  BoundedCache cache(kCacheCapacityBytes);
  std::minstd_rand rng(42);
  while (!stop.load(std::memory_order_relaxed)) {
    const int key = static_cast<int>(rng() % kCacheKeySpace);
    if (!cache.get(key)) cache.put(key);
    std::this_thread::sleep_for(kCacheTick);
  }
}  // the cache and all its entries are freed here

// ---------------------------------------------------------------------------
// Decoy 2: churn. Lots of bytes allocated, none of them kept.

__attribute__((noinline, noclone)) static std::size_t churnBurst(std::minstd_rand& rng) {
  std::array<void*, kChurnBuffersPerBurst> buffers{};
  std::size_t total = 0;
  for (auto& buffer : buffers) {
    const std::size_t size = kChurnMinBytes + rng() % (kChurnMaxBytes - kChurnMinBytes + 1);
    buffer = std::malloc(size);
    if (buffer == nullptr) break;
    std::memset(buffer, static_cast<int>(size & 0xff), size);  // touch every page
    escape(buffer);
    total += size;
  }
  for (void* buffer : buffers) std::free(buffer);
  return total;
}

static std::size_t churnMain(const std::atomic<bool>& stop) {
  std::minstd_rand rng(7);
  std::size_t total = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    total += churnBurst(rng);
    std::this_thread::sleep_for(kChurnPause);  // keep the CPU use moderate
  }
  return total;
}

// ---------------------------------------------------------------------------
// Decoy 3: one large buffer, resident and held for the whole run.

__attribute__((noinline, noclone)) static char* allocateBallast(std::size_t size) {
  auto* ballast = static_cast<char*>(std::malloc(size));
  if (ballast != nullptr) std::memset(ballast, 0x5a, size);
  escape(ballast);
  return ballast;
}

__attribute__((noinline, noclone)) static void releaseBallast(char* ballast) {
  std::free(ballast);
}

// ---------------------------------------------------------------------------

static bool parseSeconds(std::string_view text, int& seconds) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  return ec == std::errc() && ptr == end && seconds > 0;
}

int main(int argc, char** argv) {
  int seconds = 0;
  if (argc != 2 || !parseSeconds(argv[1], seconds)) {
    std::fprintf(stderr, "usage: %s SECONDS  (a positive whole number of seconds to run)\n",
                 argc > 0 ? argv[0] : "thread_registry_leak");
    return 2;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);

  // The agent's registry lives as long as the process, as an agent's would: it is
  // never deleted, so whatever it leaked is still live at exit too.
  auto* registry = new ThreadRegistry;
  LiveThreads live;
  char* ballast = allocateBallast(kBallastBytes);
  std::atomic<bool> stop{false};

  long threads_started = 0;
  std::size_t churned = 0;
  std::thread spawner([&] { threads_started = spawnerMain(*registry, live, stop); });
  std::thread janitor([&] { janitorMain(*registry, live, stop); });
  std::thread cache([&] { cacheMain(stop); });
  std::thread churn([&] { churned = churnMain(stop); });

  std::this_thread::sleep_until(deadline);
  stop.store(true);
  spawner.join();
  janitor.join();
  cache.join();
  churn.join();
  releaseBallast(ballast);

  const std::size_t leaked = registry->contextCount();
  std::fprintf(stderr,
               "thread_registry_leak: %d s, %ld threads started (%ld/s), %zu thread contexts "
               "never freed (%.1f MiB), %.0f MiB churned\n",
               seconds, threads_started, threads_started / seconds, leaked,
               static_cast<double>(leaked * kContextBytes) / MiB,
               static_cast<double>(churned) / MiB);
  return 0;
}
