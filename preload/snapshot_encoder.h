// Buffered little-endian encoder for the snapshot format (docs/FORMAT.md).
// Writes with write(2) through a fixed buffer, never stdio or malloc, and hashes every
// byte as it goes so that the closing `end` section carries the checksum. With a
// compressor, each buffer goes through it on its way to the file.
#ifndef HEAPDRIFT_PRELOAD_SNAPSHOT_ENCODER_H
#define HEAPDRIFT_PRELOAD_SNAPSHOT_ENCODER_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#define XXH_INLINE_ALL
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "snapshot_compressor.h"
#include "snapshot_format.h"

namespace heapdrift {

class SnapshotEncoder {
 public:
  // Writes the file header at once. The caller owns `fd` and `compressor` (started).
  // `progress`, when given, is bumped at each block written.
  explicit SnapshotEncoder(int fd, std::atomic<uint64_t>* progress = nullptr,
                           SnapshotCompressor* compressor = nullptr);
  SnapshotEncoder(const SnapshotEncoder&) = delete;
  SnapshotEncoder& operator=(const SnapshotEncoder&) = delete;

  // Sections declare their payload length up front (the file is written in one pass);
  // end_section() checks that exactly that many bytes were written.
  void begin_section(format::Section tag, uint64_t length);
  void end_section();

  void u8(uint8_t v) { bytes(&v, 1); }
  void u16(uint16_t v) { bytes(&v, 2); }
  void u32(uint32_t v) { bytes(&v, 4); }
  void u64(uint64_t v) { bytes(&v, 8); }
  void f64(double v) { bytes(&v, 8); }
  void str(const char* s, size_t len);
  void str(const char* s);
  void bytes(const void* data, size_t len);

  // Encoded sizes, for computing section lengths.
  static constexpr uint64_t str_size(size_t len) { return 4 + len; }
  static uint64_t str_size(const char* s);

  // Appends the `end` section with the checksum and flushes. Returns false if any
  // write failed or a section's length did not match what was written.
  bool finish();

 private:
  void flush(bool last = false);

  int fd_;
  std::atomic<uint64_t>* progress_;
  SnapshotCompressor* compressor_;
  bool ok_ = true;
  bool in_section_ = false;
  uint64_t section_remaining_ = 0;
  size_t used_ = 0;
  XXH3_state_t hash_;
  unsigned char buffer_[64 * 1024];
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_SNAPSHOT_ENCODER_H
