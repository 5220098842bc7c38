// inline_leak: a leak whose allocation is made in a function the compiler inlines,
// plus decoys.
//
// The leak: an in-memory write-ahead journal keeps every event it records in a
// linked list, to let a lagging replica catch up without reading the disk, and
// Journal::checkpoint is meant to drop entries beyond a retention limit. The limit
// is mistyped (8 GiB instead of 8 MiB), so nothing is ever dropped: the journal
// grows by ~3 MiB/s (750 events/s of ~4 KiB) for as long as the process runs.
// The allocation is in Journal::append_entry, which is always_inline: at -O2 it has
// no frame and no symbol of its own, so the return address found on the stack is
// inside Journal::record_event, and only a symbolizer that expands the DWARF
// inline chain (DW_TAG_inlined_subroutine) names the real site:
//   leaking allocation site: Journal::append_entry, inlined into Journal::record_event
//   the bug:                 kRetainLimitBytes, used by Journal::checkpoint
//
// Decoys, which a leak detector must NOT report:
//   1. Journal::checksum_event  - also always_inline, into the same caller
//                                 (Journal::record_event): allocates a 1 MiB encode
//                                 buffer per event and frees it before returning
//                                 (~750 MiB/s of churn).
//   2. QueryCache::put          - a FIFO cache of 64 KiB entries: fills to 12 MiB in
//                                 ~2 s, then evicts one entry per insert: plateaus.
//   3. allocate_segment_buffer  - one 32 MiB buffer, resident, held for the whole run
//                                 (freed by release_segment_buffer at the end).
//
// Usage: inline_leak SECONDS
// Build with -O2 -g and frame pointers (see CMakeLists.txt); the other allocation
// sites are noinline/noclone so each keeps a stable, named frame at -O2.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

// Leak: 750 events/s with 2-6 KiB payloads (4 KiB on average), i.e. ~3 MiB/s.
constexpr auto kTick = 20ms;
constexpr int kEventsPerTick = 15;
constexpr std::size_t kMinPayloadBytes = 2 * KiB;
constexpr std::size_t kMaxPayloadBytes = 6 * KiB;
constexpr int kTicksPerCheckpoint = 5;  // every 100 ms
// BUG (this is the leak): the retention limit was meant to be 8 MiB (8 << 20); with
// `<< 30` it is 8 GiB, so Journal::checkpoint never finds anything to drop.
constexpr std::size_t kRetainLimitBytes = std::size_t{8} << 30;

// Decoy sizes.
constexpr std::size_t kEncodeBufferBytes = 1 * MiB;  // sized for the largest event
constexpr std::size_t kCacheEntryBytes = 64 * KiB;
constexpr std::size_t kCacheEntries = 192;      // 12 MiB
constexpr int kCacheLookupsPerTick = 2;         // 100 lookups/s, nearly all misses at first
constexpr int kCacheKeySpace = 4096;
constexpr std::size_t kSegmentBufferBytes = 32 * MiB;

// Keeps the compiler from proving a buffer unused and deleting the allocation.
static inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

struct Event {
  std::uint64_t lsn;  // log sequence number
  std::uint32_t kind;
  std::uint32_t payload_bytes;
  const unsigned char* payload;
};

// ---------------------------------------------------------------------------
// The leak.

class Journal {
 public:
  // Records one event: checksums it, then appends it to the in-memory journal.
  __attribute__((noinline, noclone)) void record_event(const Event& event) {
    const std::uint32_t checksum = checksum_event(event);  // decoy 1, inlined here
    append_entry(event, checksum);                         // the leak, inlined here
  }

  // Called when everything up to `durable_lsn` is on disk. The newest
  // kRetainLimitBytes of durable entries stay in memory for replicas to catch up
  // from; older ones are meant to be dropped here.
  __attribute__((noinline, noclone)) void checkpoint(std::uint64_t durable_lsn) {
    durable_lsn_ = durable_lsn;
    while (head_ != nullptr && head_->lsn <= durable_lsn_ &&
           retained_bytes_ > kRetainLimitBytes) {
      drop_oldest();
    }
  }

  std::size_t entries() const { return entries_; }
  std::size_t retained_bytes() const { return retained_bytes_; }

 private:
  struct Entry {
    Entry* next;
    std::uint64_t lsn;
    std::uint32_t checksum;
    std::uint32_t payload_bytes;
    // followed by payload_bytes of payload
  };

  // The leaking allocation. Always inlined into record_event: no frame of its own.
  inline __attribute__((always_inline)) void append_entry(const Event& event,
                                                          std::uint32_t checksum) {
    auto* entry = static_cast<Entry*>(std::malloc(sizeof(Entry) + event.payload_bytes));
    if (entry == nullptr) return;
    entry->next = nullptr;
    entry->lsn = event.lsn;
    entry->checksum = checksum;
    entry->payload_bytes = event.payload_bytes;
    std::memcpy(entry + 1, event.payload, event.payload_bytes);
    if (tail_ != nullptr) {
      tail_->next = entry;
    } else {
      head_ = entry;
    }
    tail_ = entry;
    retained_bytes_ += sizeof(Entry) + event.payload_bytes;
    ++entries_;
  }

  // Decoy 1: churn. Encodes the event into a scratch buffer (header, then payload)
  // and checksums the encoding; the buffer is freed before it returns.
  inline __attribute__((always_inline)) std::uint32_t checksum_event(const Event& event) {
    auto* buffer = static_cast<unsigned char*>(std::malloc(kEncodeBufferBytes));
    if (buffer == nullptr) return 0;
    std::memcpy(buffer, &event.lsn, sizeof event.lsn);
    std::memcpy(buffer + 8, &event.kind, sizeof event.kind);
    std::memcpy(buffer + 12, &event.payload_bytes, sizeof event.payload_bytes);
    std::memcpy(buffer + 16, event.payload, event.payload_bytes);
    escape(buffer);
    std::uint32_t sum = 2166136261u;  // FNV-1a
    for (std::size_t i = 0; i < 16 + event.payload_bytes; i += 8) {
      sum = (sum ^ buffer[i]) * 16777619u;
    }
    std::free(buffer);
    return sum;
  }

  __attribute__((noinline, noclone)) void drop_oldest() {
    Entry* entry = head_;
    head_ = entry->next;
    if (head_ == nullptr) tail_ = nullptr;
    retained_bytes_ -= sizeof(Entry) + entry->payload_bytes;
    --entries_;
    std::free(entry);
  }

  Entry* head_ = nullptr;
  Entry* tail_ = nullptr;
  std::uint64_t durable_lsn_ = 0;
  std::size_t retained_bytes_ = 0;
  std::size_t entries_ = 0;
};

// ---------------------------------------------------------------------------
// Decoy 2: a bounded FIFO cache of query results. Its live bytes grow for ~2 s,
// then stay at kCacheEntries * kCacheEntryBytes.

class QueryCache {
 public:
  bool contains(int key) const { return index_.count(key) != 0; }

  __attribute__((noinline, noclone)) void put(int key) {
    while (order_.size() >= kCacheEntries) {  // evict the oldest
      index_.erase(order_.front());
      order_.pop_front();
    }
    std::unique_ptr<char[]> value(new char[kCacheEntryBytes]);
    std::memset(value.get(), key & 0xff, kCacheEntryBytes);  // "compute" the result
    index_[key] = std::move(value);
    order_.push_back(key);
  }

 private:
  std::unordered_map<int, std::unique_ptr<char[]>> index_;
  std::deque<int> order_;  // front: oldest
};

// ---------------------------------------------------------------------------
// Decoy 3: one large buffer, resident and held for the whole run.

__attribute__((noinline, noclone)) static char* allocate_segment_buffer(std::size_t size) {
  auto* buffer = static_cast<char*>(std::malloc(size));
  if (buffer != nullptr) std::memset(buffer, 0x5a, size);
  escape(buffer);
  return buffer;
}

__attribute__((noinline, noclone)) static void release_segment_buffer(char* buffer) {
  std::free(buffer);
}

// ---------------------------------------------------------------------------

static bool parse_seconds(std::string_view text, int& seconds) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  return ec == std::errc() && ptr == end && seconds > 0;
}

// Records 750 events/s and serves 100 cached queries/s until the deadline; returns
// the number of events recorded.
__attribute__((noinline, noclone)) static std::uint64_t run_service(Journal& journal,
                                                                    Clock::time_point deadline) {
  static unsigned char payload[kMaxPayloadBytes];
  std::minstd_rand rng(11);
  QueryCache cache;
  std::uint64_t lsn = 0;
  long tick = 0;
  auto next_tick = Clock::now();
  while (Clock::now() < deadline) {
    for (int i = 0; i < kEventsPerTick; ++i) {
      ++lsn;
      const auto size = static_cast<std::uint32_t>(
          kMinPayloadBytes + rng() % (kMaxPayloadBytes - kMinPayloadBytes + 1));
      std::memset(payload, static_cast<int>(lsn & 0xff), size);
      const Event event{lsn, static_cast<std::uint32_t>(lsn % 7), size, payload};
      journal.record_event(event);
    }
    for (int i = 0; i < kCacheLookupsPerTick; ++i) {
      const int key = static_cast<int>(rng() % kCacheKeySpace);
      if (!cache.contains(key)) cache.put(key);
    }
    if (++tick % kTicksPerCheckpoint == 0) journal.checkpoint(lsn);  // all flushed
    next_tick += kTick;
    // If we fell far behind (a slow or loaded machine), do not try to catch up in a burst.
    if (Clock::now() > next_tick + 100ms) next_tick = Clock::now();
    std::this_thread::sleep_until(std::min(next_tick, deadline));
  }
  return lsn;
}  // the cache and all its entries are freed here

int main(int argc, char** argv) {
  int seconds = 0;
  if (argc != 2 || !parse_seconds(argv[1], seconds)) {
    std::fprintf(stderr, "usage: %s SECONDS  (a positive whole number of seconds to run)\n",
                 argc > 0 ? argv[0] : "inline_leak");
    return 2;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);

  // The journal lives as long as the process: it is never deleted, so whatever it
  // leaked is still live at exit too.
  auto* journal = new Journal;
  char* segment = allocate_segment_buffer(kSegmentBufferBytes);
  const std::uint64_t events = run_service(*journal, deadline);
  release_segment_buffer(segment);

  std::fprintf(stderr,
               "inline_leak: %d s, %llu events (%llu/s), %zu journal entries never freed "
               "(%.1f MiB)\n",
               seconds, static_cast<unsigned long long>(events),
               static_cast<unsigned long long>(events / seconds), journal->entries(),
               static_cast<double>(journal->retained_bytes()) / MiB);
  return 0;
}
