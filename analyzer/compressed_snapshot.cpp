#include "compressed_snapshot.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include <zstd.h>

#include "byte_reader.h"

namespace heapdrift {

bool is_compressed(std::span<const uint8_t> bytes) {
  uint32_t magic;
  if (bytes.size() < sizeof(magic)) return false;
  std::memcpy(&magic, bytes.data(), sizeof(magic));
  return magic == ZSTD_MAGICNUMBER;
}

OwnedBytes inflate_snapshot(std::span<const uint8_t> bytes) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context) throw std::bad_alloc();
  // The frame does not say its size (the shim writes it in one pass): start above the
  // ratios measured (4x to 13x) and grow by doubling, with realloc, which neither
  // zeroes nor (for large blocks) copies; pages never written cost nothing.
  OwnedBytes out;
  size_t capacity = std::max<size_t>(bytes.size() * 16, 256 * 1024);
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  for (;;) {
    auto* grown = static_cast<uint8_t*>(std::realloc(out.data.get(), capacity));
    if (grown == nullptr) throw std::bad_alloc();
    out.data.release();
    out.data.reset(grown);
    ZSTD_outBuffer o{grown, capacity, out.size};
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
  if (in.pos != in.size) {
    throw FormatError(std::to_string(in.size - in.pos) + " bytes follow the compressed data");
  }
  return out;
}

}  // namespace heapdrift
