// Compresses a snapshot file as the encoder writes it: the file on disk is then one
// zstd frame holding the file's bytes, and the checksum of that frame (docs/FORMAT.md,
// "Compression"). A short-lived process's snapshot is mostly the paths of its mappings
// and modules, a long-lived one's mostly stacks that share their outer frames: 4× to
// 13× smaller, measured.
//
// Level 1 with a 64 KiB window and 2^13 hash entries, as what repeats in a snapshot
// repeats nearby: level 1's own window (512 KiB) made the files measured at most 5 %
// smaller, for nearly three times the memory.
#ifndef HEAPDRIFT_PRELOAD_SNAPSHOT_COMPRESSOR_H
#define HEAPDRIFT_PRELOAD_SNAPSHOT_COMPRESSOR_H

#include <cstddef>

#define XXH_INLINE_ALL
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "zstd_library.h"

namespace heapdrift {

class SnapshotCompressor {
 public:
  SnapshotCompressor() = default;
  SnapshotCompressor(const SnapshotCompressor&) = delete;
  SnapshotCompressor& operator=(const SnapshotCompressor&) = delete;
  ~SnapshotCompressor();

  // Maps the context's memory (mmap, for the time of one file: 489 KiB, of which a
  // small file touches a fraction) and sets the stream up, so that a failure shows
  // here, before a byte is written. False without `zstd` (zstd_library.h) or on such a
  // failure: the caller writes the file uncompressed.
  bool start(const Zstd* zstd);

  // Compresses `size` bytes into `fd`; `last` ends the frame and writes the checksum
  // frame after it. False on a write or compression error (errno set for the former).
  bool write(int fd, const void* data, size_t size, bool last);

 private:
  static constexpr int kLevel = 1;
  static constexpr int kWindowLog = 16;
  static constexpr int kHashLog = 13;
  static constexpr size_t kOutputBytes = 64 * 1024;

  const Zstd* zstd_ = nullptr;
  ZSTD_CCtx* context_ = nullptr;
  unsigned char* output_ = nullptr;  // kOutputBytes, after the context's workspace
  void* memory_ = nullptr;
  size_t memory_size_ = 0;
  size_t pending_ = 0;  // bytes in output_ that start() made and write() has yet to write
  XXH3_state_t hash_;   // of the bytes written
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_SNAPSHOT_COMPRESSOR_H
