// A snapshot file's checksum turns nearly every mutation into "checksum mismatch". The
// fuzz targets that read snapshots also read each input with its last 24 bytes made a
// valid end section whose checksum covers the rest, so that the section decoders, and
// what comes after them, face the damage.
#ifndef HEAPDRIFT_TESTS_FUZZ_CHECKSUMMED_H
#define HEAPDRIFT_TESTS_FUZZ_CHECKSUMMED_H

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "snapshot_format.h"

namespace heapdrift::fuzz {

// `bytes` with a valid end section in place of its last 24; too short a file as it is.
inline std::vector<uint8_t> checksummed(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> file(bytes.begin(), bytes.end());
  constexpr size_t kEnd = format::kSectionHeaderSize + sizeof(uint64_t);
  if (file.size() < format::kFileHeaderSize + kEnd) return file;
  uint8_t* end = file.data() + file.size() - kEnd;
  const uint32_t tag = static_cast<uint32_t>(format::Section::kEnd), reserved = 0;
  const uint64_t length = sizeof(uint64_t), checksum = XXH3_64bits(file.data(), file.size() - kEnd);
  std::memcpy(end, &tag, 4);
  std::memcpy(end + 4, &reserved, 4);
  std::memcpy(end + 8, &length, 8);
  std::memcpy(end + 16, &checksum, 8);
  return file;
}

}  // namespace heapdrift::fuzz

#endif  // HEAPDRIFT_TESTS_FUZZ_CHECKSUMMED_H
