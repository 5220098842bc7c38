#include "snapshot_compressor.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "snapshot_format.h"
#include "write_fully.h"

namespace heapdrift {

SnapshotCompressor::~SnapshotCompressor() {
  if (memory_ != nullptr) munmap(memory_, memory_size_);
}

bool SnapshotCompressor::start(const Zstd* zstd) {
  zstd_ = zstd;
  if (zstd_ == nullptr) return false;
  ZSTD_compressionParameters params = zstd_->get_cparams(kLevel, 0, 0);
  params.windowLog = kWindowLog;
  params.hashLog = kHashLog;
  size_t workspace = (zstd_->estimate_cstream_size(params) + 4095) & ~size_t{4095};
  memory_size_ = workspace + kOutputBytes;
  memory_ = mmap(nullptr, memory_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory_ == MAP_FAILED) {
    memory_ = nullptr;
    return false;
  }
  output_ = static_cast<unsigned char*>(memory_) + workspace;
  context_ = zstd_->init_static_cctx(memory_, workspace);
  if (context_ == nullptr) return false;
  for (auto [parameter, value] : {std::pair{ZSTD_c_compressionLevel, kLevel}, std::pair{ZSTD_c_windowLog, kWindowLog},
                                  std::pair{ZSTD_c_hashLog, kHashLog}}) {
    if (zstd_->is_error(zstd_->set_parameter(context_, parameter, value))) return false;
  }
  // The first call sets the stream up in the workspace (or finds it too small).
  ZSTD_inBuffer in{nullptr, 0, 0};
  ZSTD_outBuffer out{output_, kOutputBytes, 0};
  if (zstd_->is_error(zstd_->compress_stream2(context_, &out, &in, ZSTD_e_continue))) return false;
  pending_ = out.pos;
  XXH3_64bits_reset(&hash_);
  return true;
}

bool SnapshotCompressor::write(int fd, const void* data, size_t size, bool last) {
  ZSTD_inBuffer in{data, size, 0};
  for (;;) {
    ZSTD_outBuffer out{output_, kOutputBytes, pending_};
    pending_ = 0;
    size_t left = zstd_->compress_stream2(context_, &out, &in, last ? ZSTD_e_end : ZSTD_e_continue);
    if (zstd_->is_error(left)) return false;
    XXH3_64bits_update(&hash_, output_, out.pos);
    if (out.pos > 0 && !write_fully(fd, reinterpret_cast<const char*>(output_), out.pos)) return false;
    if (!last && in.pos == in.size) return true;
    if (last && left == 0) break;
  }
  unsigned char trailer[format::kChecksumFrameSize];
  uint32_t magic = format::kChecksumFrameMagic, length = format::kChecksumFrameLength;
  uint64_t checksum = XXH3_64bits_digest(&hash_);
  std::memcpy(trailer, &magic, 4);
  std::memcpy(trailer + 4, &length, 4);
  std::memcpy(trailer + 8, &checksum, 8);
  return write_fully(fd, reinterpret_cast<const char*>(trailer), sizeof(trailer));
}

}  // namespace heapdrift
