// Test-side writer of snapshot files: encodes a Snapshot model section by section,
// in docs/FORMAT.md's field order, and frames the sections with preload's
// SnapshotEncoder, so the checksum and framing come from the production writer.
// Sections are exposed raw so tests can drop, repeat, reorder or corrupt them and
// still produce a file with a valid checksum.
#ifndef HEAPDRIFT_TESTS_ANALYZER_SNAPSHOT_BUILDER_H
#define HEAPDRIFT_TESTS_ANALYZER_SNAPSHOT_BUILDER_H

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "snapshot.h"

namespace heapdrift::test {

// Little-endian appender for hand-made payloads.
struct Payload {
  std::vector<uint8_t> bytes;
  Payload& u8(uint8_t v) { return raw(&v, 1); }
  Payload& u16(uint16_t v) { return raw(&v, 2); }
  Payload& u32(uint32_t v) { return raw(&v, 4); }
  Payload& u64(uint64_t v) { return raw(&v, 8); }
  Payload& f64(double v) { return raw(&v, 8); }
  Payload& str(std::string_view s);
  Payload& kv(const KeyValues& kv);
  Payload& raw(const void* data, size_t len);
};

struct RawSection {
  uint32_t tag;
  std::vector<uint8_t> payload;
};

std::vector<uint8_t> encode_process(const ProcessInfo& p);
std::vector<uint8_t> encode_stacks(const std::map<uint32_t, Stack>& stacks);
std::vector<uint8_t> encode_samples(const std::vector<Sample>& samples);
// The frame_methods section: one entry per stack with methods.
std::vector<uint8_t> encode_frame_methods(const std::map<uint32_t, Stack>& stacks);

// Every section of `s` in the format's order (memory and unloaded_modules only when
// present).
std::vector<RawSection> encode_sections(const Snapshot& s);

// A whole file: header, the sections as given, and the end section with the checksum.
// Compressed, it is the zstd frame the shim writes through its SnapshotCompressor.
enum class Compression { kNone, kZstd };
std::vector<uint8_t> encode_file(const std::vector<RawSection>& sections, Compression compression = Compression::kNone);

inline std::vector<uint8_t> encode_snapshot(const Snapshot& s, Compression compression = Compression::kNone) {
  return encode_file(encode_sections(s), compression);
}

// `bytes`, whatever they are, in one zstd frame as SnapshotCompressor makes it.
std::vector<uint8_t> zstd_frame(const std::vector<uint8_t>& bytes);

// `bytes` (a whole file) with another version in its header, checksum recomputed.
std::vector<uint8_t> with_version(std::vector<uint8_t> bytes, uint32_t version);

// Every section present with non-trivial values (edge values included).
Snapshot rich_snapshot();
// One or two entries per section: small enough to flip each byte in turn.
Snapshot small_snapshot();

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);

}  // namespace heapdrift::test

#endif  // HEAPDRIFT_TESTS_ANALYZER_SNAPSHOT_BUILDER_H
