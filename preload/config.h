// Configuration of the shim, read from HEAPDRIFT_* environment variables that
// `heapdrift record` sets. Parsing never allocates: it runs inside the target
// before (and while) malloc is hooked, so it works on C strings and fixed buffers.
#ifndef HEAPDRIFT_PRELOAD_CONFIG_H
#define HEAPDRIFT_PRELOAD_CONFIG_H

#include <cstddef>
#include <cstdint>

namespace heapdrift {

// The environment contract between `heapdrift record` and the shim.
inline constexpr const char* kEnvOutput = "HEAPDRIFT_OUTPUT";
inline constexpr const char* kEnvSampleRate = "HEAPDRIFT_SAMPLE_RATE";
inline constexpr const char* kEnvInterval = "HEAPDRIFT_INTERVAL";
inline constexpr const char* kEnvMaxDepth = "HEAPDRIFT_MAX_DEPTH";
inline constexpr const char* kEnvSeed = "HEAPDRIFT_SEED";
inline constexpr const char* kEnvMaxSnapshots = "HEAPDRIFT_MAX_SNAPSHOTS";
inline constexpr const char* kEnvMaxLiveSamples = "HEAPDRIFT_MAX_LIVE_SAMPLES";
inline constexpr const char* kEnvMaxStacks = "HEAPDRIFT_MAX_STACKS";
inline constexpr const char* kEnvUnwind = "HEAPDRIFT_UNWIND";
inline constexpr const char* kEnvCompress = "HEAPDRIFT_COMPRESS";

inline constexpr uint64_t kDefaultSampleRate = 512 * 1024;
inline constexpr uint64_t kDefaultIntervalMs = 60 * 1000;
inline constexpr uint32_t kDefaultMaxDepth = 64;
inline constexpr uint32_t kMaxMaxDepth = 256;

enum class UnwindMode : uint8_t { kLibunwind, kFramePointer };

struct Config {
  char output_dir[4096] = {};   // absolute or relative to the cwd at start-up
  uint64_t sample_rate = kDefaultSampleRate;  // mean bytes between samples; 1 = every allocation
  uint64_t interval_ms = kDefaultIntervalMs;  // 0 = no periodic snapshots
  uint32_t max_depth = kDefaultMaxDepth;
  uint64_t seed = 0;
  bool seed_set = false;
  uint32_t max_snapshots = 0;                 // 0 = keep all
  uint64_t max_live_samples = 4u << 20;       // past it, new samples are dropped and counted
  uint32_t max_stacks = 1u << 20;             // past it, new stacks map to the overflow stack
  UnwindMode unwind = UnwindMode::kLibunwind;
  bool compress = true;                       // snapshot files as zstd frames, where libzstd loads
};

// "1" (every allocation), or a byte count with an optional suffix B, K/KiB, M/MiB, G/GiB.
// Returns false on malformed input, zero, or overflow.
bool parse_size(const char* text, uint64_t* out);

// "500ms", "2s", "5m", "1h"; a bare number is seconds. Returns false on malformed input.
bool parse_duration_ms(const char* text, uint64_t* out);

bool parse_uint(const char* text, uint64_t max, uint64_t* out);

// Reads the configuration through `getenv_fn` (getenv in the shim, a table in tests).
// On error returns false and writes one line naming the variable and the problem
// into `error` (always NUL-terminated).
using GetEnvFn = const char* (*)(const char* name, void* context);
bool load_config(GetEnvFn getenv_fn, void* context, Config* config, char* error,
                 size_t error_size);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_CONFIG_H
