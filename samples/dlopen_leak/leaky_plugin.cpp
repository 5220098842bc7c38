// libleaky_plugin.so: the plugin half of the dlopen_leak sample (see main.cpp).
// The host program dlopen()s this library at start-up (it is not linked against
// it) and calls leaky_plugin_handle_request() ~500 times a second.
//
// The leak: plugin::SessionCache::remember keeps a ~6 KiB record of each request
// so that a reconnecting client can resume its session. It was meant to hold the
// latest record of each session (a few hundred), but it is keyed by (session,
// sequence), so every request adds an entry and nothing ever trims the map:
// ~3 MiB/s of growth, all of it allocated inside this dlopen()ed module.
//   leaking allocation site: plugin::SessionCache::remember
//
// Decoy, which a leak detector must NOT report:
//   plugin::acquire_request_scratch - a 12 MiB scratch buffer (sized for the
//       largest request the plugin accepts) allocated for every request and freed
//       by plugin::release_request_scratch before the request returns: ~6 GB/s of
//       allocations, none of them kept.
//
// Built with -g -O2 -fno-omit-frame-pointer and hidden visibility (only the
// extern "C" entry points are exported, as in a real plugin), so its internal
// functions are named by the symbol table and DWARF only.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "plugin_api.h"

namespace plugin {

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

// ~6 KiB per request at ~500 requests/s: ~3 MiB/s.
constexpr std::size_t kRecordBytes = 6 * KiB;
// Sized for the largest request accepted; a typical request uses 64-320 KiB of it.
constexpr std::size_t kScratchBytes = 12 * MiB;

// Keeps the compiler from proving a buffer unused and deleting the allocation.
static inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// Per-session resume state: what a client reconnecting after a dropped connection
// needs to pick up where it left off.
class SessionCache {
 public:
  __attribute__((noinline, noclone)) void remember(std::uint64_t session_id,
                                                   std::uint64_t sequence,
                                                   const char* summary,
                                                   std::size_t summary_size) {
    std::unique_ptr<char[]> record(new char[kRecordBytes]);
    const std::size_t n = std::min(summary_size, kRecordBytes);
    std::memcpy(record.get(), summary, n);
    std::memset(record.get() + n, 0, kRecordBytes - n);  // resident, as a used record is

    std::lock_guard lock(mu_);
    // BUG (this is the leak): the cache was meant to keep the *latest* record of each
    // session, keyed by session id, so that its size is bounded by the number of
    // sessions and no trimming was ever written. The change that made resume
    // idempotent added the request sequence number to the key, so every request now
    // inserts a new entry instead of replacing the session's previous one, and the
    // map grows by one record per request for as long as the plugin is loaded.
    records_[Key{session_id, sequence}] = std::move(record);
    bytes_ += kRecordBytes;
  }

  leaky_plugin_stats stats() const {
    std::lock_guard lock(mu_);
    return leaky_plugin_stats{records_.size(), bytes_};
  }

 private:
  using Key = std::pair<std::uint64_t, std::uint64_t>;  // (session id, sequence)

  mutable std::mutex mu_;
  std::map<Key, std::unique_ptr<char[]>> records_;
  std::size_t bytes_ = 0;
};

// The plugin's cache lives as long as the plugin, which is never unloaded: it is
// never deleted, so whatever it holds is still live when the process exits.
SessionCache& session_cache() {
  static auto* cache = new SessionCache;
  return *cache;
}

// Decoy: churn. The scratch buffer is allocated and freed once per request.
__attribute__((noinline, noclone)) char* acquire_request_scratch(std::size_t size) {
  auto* scratch = new char[size];  // untouched beyond what the request uses
  escape(scratch);
  return scratch;
}

__attribute__((noinline, noclone)) void release_request_scratch(char* scratch) {
  delete[] scratch;
}

// "Parses" the request into the scratch buffer and writes a short response.
__attribute__((noinline, noclone)) int handle_request(const leaky_plugin_request& request,
                                                      leaky_plugin_response& response) {
  char* scratch = acquire_request_scratch(kScratchBytes);
  const std::size_t used = (64 + request.sequence % 5 * 64) * KiB;  // 64-320 KiB
  std::memset(scratch, static_cast<int>(request.sequence & 0xff), used);
  const std::size_t body = std::min(request.body_size, used);
  if (request.body != nullptr) std::memcpy(scratch, request.body, body);

  // The resume summary: the head of the parsed request.
  session_cache().remember(request.session_id, request.sequence, scratch, 4 * KiB);

  int written = 0;
  if (response.data != nullptr && response.capacity > 0) {
    written = std::snprintf(response.data, response.capacity,
                            "session %llu request %llu: ok (%zu bytes parsed)",
                            static_cast<unsigned long long>(request.session_id),
                            static_cast<unsigned long long>(request.sequence), used);
  }
  response.size = written > 0 ? std::min<std::size_t>(written, response.capacity - 1) : 0;
  release_request_scratch(scratch);
  return 0;
}

}  // namespace plugin

extern "C" {

__attribute__((visibility("default"))) int leaky_plugin_handle_request(
    const leaky_plugin_request* request, leaky_plugin_response* response) {
  if (request == nullptr || response == nullptr) return -1;
  return plugin::handle_request(*request, *response);
}

__attribute__((visibility("default"))) void leaky_plugin_get_stats(leaky_plugin_stats* stats) {
  if (stats != nullptr) *stats = plugin::session_cache().stats();
}

}  // extern "C"
