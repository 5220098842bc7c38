// dlopen_leak: a native leak inside a plugin that the program dlopen()s at run
// time, plus decoys in the program itself.
//
// It reproduces a leak whose allocation site is in a shared library that was not
// loaded when the process started (a plugin, a JNI library loaded with
// System.loadLibrary, a codec picked at run time): a leak detector has to record
// where that module was mapped to name the site. The program loads
// libleaky_plugin.so from its own directory (found through /proc/self/exe),
// looks up the plugin's extern "C" entry point, and sends it ~500 requests a
// second. The plugin keeps a ~6 KiB per-request record that it never drops
// (see leaky_plugin.cpp): ~3 MiB/s of growth.
//   leaking allocation site: plugin::SessionCache::remember (in libleaky_plugin.so)
//
// Decoys, which a leak detector must NOT report:
//   1. plugin::acquire_request_scratch (in the plugin) - a 12 MiB scratch buffer
//                          allocated and freed for every request: churn.
//   2. allocate_host_arena - one 48 MiB buffer, resident, held for the whole run:
//                          large but flat (freed by release_host_arena at the end).
//   3. RecentResponses::push - a ring keeping the last 48 responses in 256 KiB
//                          slots: fills to 12 MiB in ~2 s, then recycles its oldest
//                          slot for each new response: grows, then plateaus.
//
// Usage: dlopen_leak SECONDS
// Both the program and the plugin are built with frame pointers and -g (see
// CMakeLists.txt); the allocation sites are noinline/noclone so each keeps a
// stable, named frame at -O2. The plugin stays loaded until the process exits.

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include "plugin_api.h"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

// Request schedule: 5 requests every 10 ms, i.e. ~500 requests/s.
constexpr auto kTick = 10ms;
constexpr int kRequestsPerTick = 5;
constexpr int kSessions = 256;
constexpr std::size_t kRequestBodyBytes = 2 * KiB;

// Decoy sizes.
constexpr std::size_t kArenaBytes = 48 * MiB;
constexpr std::size_t kResponseSlotBytes = 256 * KiB;
constexpr std::size_t kResponseSlots = 48;  // 12 MiB
constexpr int kTicksPerKeptResponse = 4;    // 25 kept responses/s: full in ~1.9 s

// Keeps the compiler from proving a buffer unused and deleting the allocation.
static inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// ---------------------------------------------------------------------------
// Loading the plugin.

struct Plugin {
  leaky_plugin_handle_request_fn handle_request = nullptr;
  leaky_plugin_get_stats_fn get_stats = nullptr;
};

// Loads libleaky_plugin.so from the directory this executable is in. Returns false
// (after saying why on stderr) if it cannot.
static bool load_plugin(Plugin& plugin) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::fprintf(stderr, "dlopen_leak: cannot read /proc/self/exe: %s\n", ec.message().c_str());
    return false;
  }
  const std::string path = (self.parent_path() / LEAKY_PLUGIN_FILE_NAME).string();
  // Never dlclose()d: the plugin, and the memory it holds, live as long as the process.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::fprintf(stderr, "dlopen_leak: cannot load the plugin: %s\n", dlerror());
    return false;
  }
  plugin.handle_request = reinterpret_cast<leaky_plugin_handle_request_fn>(
      dlsym(handle, LEAKY_PLUGIN_HANDLE_REQUEST));
  plugin.get_stats =
      reinterpret_cast<leaky_plugin_get_stats_fn>(dlsym(handle, LEAKY_PLUGIN_GET_STATS));
  if (plugin.handle_request == nullptr || plugin.get_stats == nullptr) {
    std::fprintf(stderr, "dlopen_leak: %s lacks the entry points %s and %s\n", path.c_str(),
                 LEAKY_PLUGIN_HANDLE_REQUEST, LEAKY_PLUGIN_GET_STATS);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Decoy 2: one large buffer, resident and held for the whole run.

__attribute__((noinline, noclone)) static char* allocate_host_arena(std::size_t size) {
  auto* arena = static_cast<char*>(std::malloc(size));
  if (arena != nullptr) std::memset(arena, 0x5a, size);
  escape(arena);
  return arena;
}

__attribute__((noinline, noclone)) static void release_host_arena(char* arena) {
  std::free(arena);
}

// ---------------------------------------------------------------------------
// Decoy 3: a bounded ring of recent responses (for a debug endpoint). Its live
// bytes grow for ~2 s, then stay at kResponseSlots * kResponseSlotBytes.

class RecentResponses {
 public:
  __attribute__((noinline, noclone)) void push(const char* response, std::size_t size) {
    if (slots_.size() >= kResponseSlots) slots_.pop_front();  // recycle the oldest
    std::unique_ptr<char[]> slot(new char[kResponseSlotBytes]);
    const std::size_t n = std::min(size, kResponseSlotBytes);
    std::memcpy(slot.get(), response, n);
    std::memset(slot.get() + n, 0, kResponseSlotBytes - n);  // resident
    slots_.push_back(std::move(slot));
  }

 private:
  std::deque<std::unique_ptr<char[]>> slots_;
};

// ---------------------------------------------------------------------------

static bool parse_seconds(std::string_view text, int& seconds) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  return ec == std::errc() && ptr == end && seconds > 0;
}

// Sends the plugin ~500 requests/s until the deadline; returns how many it sent.
__attribute__((noinline, noclone)) static long serve_requests(const Plugin& plugin,
                                                              RecentResponses& recent,
                                                              Clock::time_point deadline) {
  std::array<char, kRequestBodyBytes> body{};
  std::array<char, 256> response_buffer{};
  long sequence = 0;
  long tick = 0;
  auto next_tick = Clock::now();
  while (Clock::now() < deadline) {
    leaky_plugin_response response{response_buffer.data(), response_buffer.size(), 0};
    for (int i = 0; i < kRequestsPerTick; ++i, ++sequence) {
      std::snprintf(body.data(), body.size(), "GET /resume?request=%ld", sequence);
      const leaky_plugin_request request{static_cast<std::uint64_t>(sequence % kSessions),
                                         static_cast<std::uint64_t>(sequence), body.data(),
                                         body.size()};
      response.size = 0;
      plugin.handle_request(&request, &response);
    }
    if (tick++ % kTicksPerKeptResponse == 0) recent.push(response.data, response.size);
    next_tick += kTick;
    // If we fell far behind (a slow or loaded machine), do not try to catch up in a burst.
    if (Clock::now() > next_tick + 100ms) next_tick = Clock::now();
    std::this_thread::sleep_until(std::min(next_tick, deadline));
  }
  return sequence;
}

int main(int argc, char** argv) {
  int seconds = 0;
  if (argc != 2 || !parse_seconds(argv[1], seconds)) {
    std::fprintf(stderr, "usage: %s SECONDS  (a positive whole number of seconds to run)\n",
                 argc > 0 ? argv[0] : "dlopen_leak");
    return 2;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);

  Plugin plugin;
  if (!load_plugin(plugin)) return 1;

  char* arena = allocate_host_arena(kArenaBytes);
  long requests = 0;
  {
    RecentResponses recent;
    requests = serve_requests(plugin, recent, deadline);
  }  // the ring and its slots are freed here
  release_host_arena(arena);

  leaky_plugin_stats stats{};
  plugin.get_stats(&stats);
  std::fprintf(stderr,
               "dlopen_leak: %d s, %ld requests (%ld/s), %zu session records never freed "
               "in " LEAKY_PLUGIN_FILE_NAME " (%.1f MiB)\n",
               seconds, requests, requests / seconds, stats.remembered_records,
               static_cast<double>(stats.remembered_bytes) / MiB);
  return 0;
}
