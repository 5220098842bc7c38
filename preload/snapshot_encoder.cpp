#include "snapshot_encoder.h"

#include <cstring>

#include "write_fully.h"

namespace heapdrift {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the format is little-endian");

SnapshotEncoder::SnapshotEncoder(int fd, std::atomic<uint64_t>* progress, SnapshotCompressor* compressor)
    : fd_(fd), progress_(progress), compressor_(compressor) {
  XXH3_64bits_reset(&hash_);
  bytes(format::kMagic, sizeof(format::kMagic));
  u32(format::kVersion);
  u32(0);
}

void SnapshotEncoder::begin_section(format::Section tag, uint64_t length) {
  if (in_section_) ok_ = false;
  u32(static_cast<uint32_t>(tag));
  u32(0);
  u64(length);
  in_section_ = true;
  section_remaining_ = length;
}

void SnapshotEncoder::end_section() {
  if (!in_section_ || section_remaining_ != 0) ok_ = false;
  in_section_ = false;
}

void SnapshotEncoder::str(const char* s, size_t len) {
  u32(static_cast<uint32_t>(len));
  bytes(s, len);
}

void SnapshotEncoder::str(const char* s) { str(s, strlen(s)); }

uint64_t SnapshotEncoder::str_size(const char* s) { return str_size(strlen(s)); }

void SnapshotEncoder::bytes(const void* data, size_t len) {
  if (in_section_) {
    if (len > section_remaining_) ok_ = false;
    else section_remaining_ -= len;
  }
  XXH3_64bits_update(&hash_, data, len);
  auto* p = static_cast<const unsigned char*>(data);
  while (len > 0) {
    if (used_ == sizeof(buffer_)) flush();
    size_t n = sizeof(buffer_) - used_;
    if (n > len) n = len;
    memcpy(buffer_ + used_, p, n);
    used_ += n;
    p += n;
    len -= n;
  }
}

void SnapshotEncoder::flush(bool last) {
  ok_ = ok_ && (compressor_ ? compressor_->write(fd_, buffer_, used_, last)
                            : write_fully(fd_, reinterpret_cast<const char*>(buffer_), used_));
  used_ = 0;
  if (progress_) progress_->fetch_add(1, std::memory_order_relaxed);
}

bool SnapshotEncoder::finish() {
  if (in_section_) ok_ = false;
  uint64_t checksum = XXH3_64bits_digest(&hash_);
  u32(static_cast<uint32_t>(format::Section::kEnd));
  u32(0);
  u64(8);
  u64(checksum);
  flush(true);
  return ok_;
}

}  // namespace heapdrift
