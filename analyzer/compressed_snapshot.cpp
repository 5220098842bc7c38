#include "compressed_snapshot.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "byte_reader.h"
#include "snapshot_format.h"

namespace heapdrift {

bool is_compressed(std::span<const uint8_t> bytes) {
  uint32_t magic;
  if (bytes.size() < sizeof(magic)) return false;
  std::memcpy(&magic, bytes.data(), sizeof(magic));
  return magic == ZSTD_MAGICNUMBER;
}

namespace {

// The zstd frame's bytes, once its length, the checksum frame after it and the checksum
// check out.
std::span<const uint8_t> checked_frame(std::span<const uint8_t> bytes) {
  size_t frame = ZSTD_findFrameCompressedSize(bytes.data(), bytes.size());
  if (ZSTD_isError(frame)) {
    if (ZSTD_getErrorCode(frame) == ZSTD_error_srcSize_wrong) {
      throw FormatError("truncated: the compressed data ends early");
    }
    throw FormatError(std::string("corrupt compressed data (zstd: ") + ZSTD_getErrorName(frame) + ")");
  }
  std::span<const uint8_t> trailer = bytes.subspan(frame);
  if (trailer.size() < format::kChecksumFrameSize) {
    throw FormatError("truncated: the checksum after the compressed data is missing");
  }
  if (trailer.size() > format::kChecksumFrameSize) {
    throw FormatError(std::to_string(trailer.size() - format::kChecksumFrameSize) +
                      " bytes follow the compressed data's checksum");
  }
  uint32_t magic, length;
  uint64_t checksum;
  std::memcpy(&magic, trailer.data(), 4);
  std::memcpy(&length, trailer.data() + 4, 4);
  std::memcpy(&checksum, trailer.data() + 8, 8);
  if (magic != format::kChecksumFrameMagic || length != format::kChecksumFrameLength) {
    throw FormatError("corrupt: no checksum frame after the compressed data");
  }
  if (XXH3_64bits(bytes.data(), frame) != checksum) {
    throw FormatError("checksum mismatch: the compressed data is damaged");
  }
  return bytes.first(frame);
}

}  // namespace

OwnedBytes inflate_snapshot(std::span<const uint8_t> file, OwnedBytes out) {
  std::span<const uint8_t> bytes = checked_frame(file);
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context) throw std::bad_alloc();
  // The frame does not say its size (the shim writes it in one pass): start above the
  // ratios measured (4x to 13x) and grow by doubling (OwnedBytes::reserve); pages
  // never written cost nothing.
  out.size = 0;
  size_t capacity = std::max({out.capacity, bytes.size() * 16, size_t{256 * 1024}});
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  for (;;) {
    out.reserve(capacity);
    ZSTD_outBuffer o{out.data.get(), out.capacity, out.size};
    size_t left = ZSTD_decompressStream(context.get(), &o, &in);
    out.size = o.pos;
    if (ZSTD_isError(left)) {
      throw FormatError(std::string("corrupt compressed data (zstd: ") + ZSTD_getErrorName(left) + ")");
    }
    if (left == 0) break;  // the frame is complete
    if (in.pos == in.size && o.pos < o.size) throw FormatError("truncated: the compressed data ends early");
    if (o.pos == o.size) {
      if (capacity >= kMaxInflatedBytes) throw std::bad_alloc();
      capacity = std::min(capacity * 2, kMaxInflatedBytes);
    }
  }
  return out;
}

}  // namespace heapdrift
