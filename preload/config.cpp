#include "config.h"

#include <cstring>

namespace heapdrift {
namespace {

bool parse_digits(const char*& p, uint64_t* out) {
  if (*p < '0' || *p > '9') return false;
  uint64_t v = 0;
  for (; *p >= '0' && *p <= '9'; ++p) {
    uint64_t d = static_cast<uint64_t>(*p - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool mul_ok(uint64_t a, uint64_t b, uint64_t* out) {
  if (b != 0 && a > UINT64_MAX / b) return false;
  *out = a * b;
  return true;
}

// Appends to a fixed buffer without stdio (snprintf may allocate in some libcs).
void append(char* buf, size_t size, const char* text) {
  size_t len = strnlen(buf, size);
  while (*text && len + 1 < size) buf[len++] = *text++;
  if (size) buf[len < size ? len : size - 1] = '\0';
}

void set_error(char* error, size_t size, const char* var, const char* value, const char* what) {
  if (!size) return;
  error[0] = '\0';
  append(error, size, var);
  append(error, size, "='");
  append(error, size, value);
  append(error, size, "': ");
  append(error, size, what);
}

}  // namespace

bool parse_uint(const char* text, uint64_t max, uint64_t* out) {
  const char* p = text;
  uint64_t v;
  if (!parse_digits(p, &v) || *p != '\0' || v > max) return false;
  *out = v;
  return true;
}

bool parse_size(const char* text, uint64_t* out) {
  const char* p = text;
  uint64_t v;
  if (!parse_digits(p, &v) || v == 0) return false;
  uint64_t unit = 1;
  if (*p == '\0' || strcmp(p, "B") == 0) unit = 1;
  else if (strcmp(p, "K") == 0 || strcmp(p, "KiB") == 0 || strcmp(p, "k") == 0) unit = 1ull << 10;
  else if (strcmp(p, "M") == 0 || strcmp(p, "MiB") == 0) unit = 1ull << 20;
  else if (strcmp(p, "G") == 0 || strcmp(p, "GiB") == 0) unit = 1ull << 30;
  else return false;
  return mul_ok(v, unit, out);
}

bool parse_duration_ms(const char* text, uint64_t* out) {
  const char* p = text;
  uint64_t v;
  if (!parse_digits(p, &v)) return false;
  uint64_t unit;
  if (*p == '\0' || strcmp(p, "s") == 0) unit = 1000;
  else if (strcmp(p, "ms") == 0) unit = 1;
  else if (strcmp(p, "m") == 0 || strcmp(p, "min") == 0) unit = 60 * 1000;
  else if (strcmp(p, "h") == 0) unit = 3600 * 1000;
  else return false;
  return mul_ok(v, unit, out);
}

bool load_config(GetEnvFn getenv_fn, void* context, Config* config, char* error,
                 size_t error_size) {
  *config = Config{};
  if (error_size) error[0] = '\0';
  const char* v;
  uint64_t n;

  if ((v = getenv_fn(kEnvOutput, context)) && *v) {
    if (strlen(v) >= sizeof(config->output_dir) - 64) {
      set_error(error, error_size, kEnvOutput, "...", "path too long");
      return false;
    }
    memcpy(config->output_dir, v, strlen(v) + 1);
  }
  if ((v = getenv_fn(kEnvSampleRate, context))) {
    if (!parse_size(v, &config->sample_rate)) {
      set_error(error, error_size, kEnvSampleRate, v,
                "expected 1 or a byte count such as 4096, 64K, 512KiB, 1M");
      return false;
    }
  }
  if ((v = getenv_fn(kEnvInterval, context))) {
    if (!parse_duration_ms(v, &config->interval_ms)) {
      set_error(error, error_size, kEnvInterval, v, "expected a duration such as 500ms, 2s, 5m");
      return false;
    }
  }
  if ((v = getenv_fn(kEnvMaxDepth, context))) {
    if (!parse_uint(v, kMaxMaxDepth, &n) || n < 1) {
      set_error(error, error_size, kEnvMaxDepth, v, "expected a frame count from 1 to 256");
      return false;
    }
    config->max_depth = static_cast<uint32_t>(n);
  }
  if ((v = getenv_fn(kEnvSeed, context))) {
    if (!parse_uint(v, UINT64_MAX, &config->seed)) {
      set_error(error, error_size, kEnvSeed, v, "expected an unsigned integer");
      return false;
    }
    config->seed_set = true;
  }
  if ((v = getenv_fn(kEnvMaxSnapshots, context))) {
    if (!parse_uint(v, 1u << 20, &n) || (n != 0 && n < 3)) {
      set_error(error, error_size, kEnvMaxSnapshots, v,
                "expected 0 (keep all) or a count of at least 3");
      return false;
    }
    config->max_snapshots = static_cast<uint32_t>(n);
  }
  if ((v = getenv_fn(kEnvMaxLiveSamples, context))) {
    if (!parse_uint(v, 1ull << 32, &config->max_live_samples) || config->max_live_samples == 0) {
      set_error(error, error_size, kEnvMaxLiveSamples, v, "expected a positive count");
      return false;
    }
  }
  if ((v = getenv_fn(kEnvMaxStacks, context))) {
    if (!parse_uint(v, 1u << 30, &n) || n == 0) {
      set_error(error, error_size, kEnvMaxStacks, v, "expected a positive count");
      return false;
    }
    config->max_stacks = static_cast<uint32_t>(n);
  }
  if ((v = getenv_fn(kEnvUnwind, context))) {
    if (strcmp(v, "libunwind") == 0) config->unwind = UnwindMode::kLibunwind;
    else if (strcmp(v, "fp") == 0) config->unwind = UnwindMode::kFramePointer;
    else {
      set_error(error, error_size, kEnvUnwind, v, "expected 'libunwind' or 'fp'");
      return false;
    }
  }
  if ((v = getenv_fn(kEnvCompress, context))) {
    if (strcmp(v, "1") == 0) config->compress = true;
    else if (strcmp(v, "0") == 0) config->compress = false;
    else {
      set_error(error, error_size, kEnvCompress, v, "expected 1 (compress snapshots) or 0");
      return false;
    }
  }
  return true;
}

}  // namespace heapdrift
