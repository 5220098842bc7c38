#include "snapshot_reader.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <span>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "byte_reader.h"
#include "compressed_snapshot.h"
#include "jemalloc_profile_reader.h"
#include "section_decoders.h"

namespace heapdrift {
namespace {

using format::Section;

constexpr uint32_t kEndTag = static_cast<uint32_t>(Section::kEnd);
constexpr uint64_t kChecksumSize = 8;
// The end section, which closes every file: what its checksum does not cover.
constexpr uint64_t kTrailerSize = format::kSectionHeaderSize + kChecksumSize;
constexpr uint32_t kLastKnownTag = static_cast<uint32_t>(Section::kUnloadedModules);

std::string describe_tag(uint32_t tag) {
  const char* name = decode::section_name(tag);
  return name ? std::string("section '") + name + "'" : "section with tag " + std::to_string(tag);
}

uint32_t load_u32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
uint64_t load_u64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

// Payloads of the known sections, indexed by tag; empty spans for absent ones.
struct Framing {
  uint32_t version = 0;
  std::array<std::span<const uint8_t>, kLastKnownTag + 1> payload{};
  std::array<bool, kLastKnownTag + 1> present{};
};

struct SectionHeader {
  uint32_t tag;
  uint32_t reserved;
  uint64_t offset;  // of the header
  std::span<const uint8_t> payload;
};

// Walks the section headers up to the end section, checking every length against the
// file size, and then the checksum: so damage anywhere checksummed is reported as such.
// `hashed`, if known, is the checksum of all but the file's last kTrailerSize bytes.
std::vector<SectionHeader> walk_sections(std::span<const uint8_t> file, std::optional<uint64_t> hashed) {
  const uint64_t size = file.size();
  std::vector<SectionHeader> sections;
  uint64_t off = format::kFileHeaderSize;
  for (;;) {
    if (off == size) throw FormatError("truncated: the end section is missing");
    if (size - off < format::kSectionHeaderSize) {
      throw FormatError("truncated: the file ends inside a section header at offset " +
                        std::to_string(off));
    }
    SectionHeader h{load_u32(file.data() + off), load_u32(file.data() + off + 4), off, {}};
    uint64_t length = load_u64(file.data() + off + 8);
    uint64_t payload_off = off + format::kSectionHeaderSize;
    if (length > size - payload_off) {
      throw FormatError("truncated: " + describe_tag(h.tag) + " runs past the end of the file");
    }
    h.payload = file.subspan(payload_off, length);
    if (h.tag != kEndTag) {
      sections.push_back(h);
      off = payload_off + length;
      continue;
    }
    // The end section's header is the one part the checksum cannot cover: its
    // reserved field must be 0 like every other, and is checked here.
    if (h.reserved != 0) throw FormatError("the end section's reserved field is not 0");
    if (length != kChecksumSize) {
      throw FormatError("the end section has length " + std::to_string(length) + ", not 8");
    }
    if (payload_off + length != size) {
      throw FormatError(std::to_string(size - payload_off - length) + " unexpected bytes after the end section");
    }
    // Here off == size - kTrailerSize.
    if ((hashed ? *hashed : XXH3_64bits(file.data(), off)) != load_u64(file.data() + payload_off)) {
      throw FormatError("checksum mismatch (the file is corrupt)");
    }
    return sections;
  }
}

// Checks the header and the framing, and picks out the known sections' payloads.
Framing split_sections(std::span<const uint8_t> file, std::optional<uint64_t> hashed) {
  const uint64_t size = file.size();
  const size_t magic_len = sizeof(format::kMagic);
  if (size == 0 || std::memcmp(file.data(), format::kMagic, std::min<size_t>(size, magic_len)) != 0) {
    throw FormatError("not a heapdrift snapshot (bad magic)");
  }
  if (size < format::kFileHeaderSize) {
    throw FormatError("truncated: the file ends inside its header");
  }
  uint32_t version = load_u32(file.data() + magic_len);
  if (version < format::kOldestReadableVersion || version > format::kVersion) {
    throw FormatError("unsupported format version " + std::to_string(version) + " (this heapdrift reads versions " +
                      std::to_string(format::kOldestReadableVersion) + " to " + std::to_string(format::kVersion) +
                      ")");
  }
  std::vector<SectionHeader> sections = walk_sections(file, hashed);
  if (load_u32(file.data() + magic_len + 4) != 0) {
    throw FormatError("the header's reserved field is not 0");
  }

  Framing out;
  out.version = version;
  for (const SectionHeader& h : sections) {
    if (h.reserved != 0) {
      throw FormatError("the reserved field of the " + describe_tag(h.tag) + " at offset " +
                        std::to_string(h.offset) + " is not 0");
    }
    if (h.tag < 1 || h.tag > kLastKnownTag) continue;  // unknown: skipped, as the format asks
    if (out.present[h.tag]) throw FormatError(describe_tag(h.tag) + " appears more than once");
    out.present[h.tag] = true;
    out.payload[h.tag] = h.payload;
  }
  return out;
}

std::span<const uint8_t> required(const Framing& f, Section s) {
  auto tag = static_cast<uint32_t>(s);
  if (!f.present[tag]) throw FormatError("the " + describe_tag(tag) + " is missing");
  return f.payload[tag];
}

// Whether `id` is among `ids` (sorted or not): a bitmap when the ids are dense, as the
// shim's are, so that checking 100,000 samples costs no search.
class IdSet {
 public:
  explicit IdSet(std::vector<uint32_t> ids) {
    uint32_t max = ids.empty() ? 0 : *std::max_element(ids.begin(), ids.end());
    if (max / 16 <= ids.size()) {
      bits_.assign(size_t{max} + 1, false);
      for (uint32_t id : ids) bits_[id] = true;
    } else {
      std::sort(ids.begin(), ids.end());
      sorted_ = std::move(ids);
    }
  }
  bool contains(uint32_t id) const {
    if (!bits_.empty() || sorted_.empty()) return id < bits_.size() && bits_[id];
    return std::binary_search(sorted_.begin(), sorted_.end(), id);
  }

 private:
  std::vector<bool> bits_;
  std::vector<uint32_t> sorted_;
};

Snapshot decode_all(std::span<const uint8_t> file, const StackFilter& wanted, std::optional<uint64_t> hashed,
                    std::vector<Sample> reuse) {
  Framing f = split_sections(file, hashed);
  Snapshot s;
  s.process = decode::process(required(f, Section::kProcess));
  s.counters = decode::counters(required(f, Section::kCounters));
  if (f.present[static_cast<uint32_t>(Section::kMemory)]) {
    s.memory = decode::memory(f.payload[static_cast<uint32_t>(Section::kMemory)]);
  }
  s.modules = decode::modules(required(f, Section::kModules));
  if (f.present[static_cast<uint32_t>(Section::kUnloadedModules)]) {
    s.unloaded_modules = decode::unloaded_modules(f.payload[static_cast<uint32_t>(Section::kUnloadedModules)]);
  }
  s.maps = decode::maps(required(f, Section::kMaps));
  std::vector<uint32_t> ids;
  std::function<bool(uint32_t)> wanted_id;
  if (wanted) wanted_id = [&](uint32_t id) { return wanted(s.process, id); };
  s.stacks = decode::stacks(required(f, Section::kStacks), wanted_id, &ids);
  const IdSet stack_ids(std::move(ids));
  // Version 1 predates interpreted frames: its files have no methods (and a tag 8
  // there would be an unknown section, skipped).
  if (f.version >= 2) {
    decode::frame_methods(required(f, Section::kFrameMethods), s.stacks,
                          [&](uint32_t id) { return stack_ids.contains(id); });
  }
  s.samples = decode::samples(required(f, Section::kSamples), std::move(reuse));
  for (size_t i = 0; i < s.samples.size(); ++i) {
    uint32_t id = s.samples[i].stack_id;
    if (id != format::kOverflowStackId && !stack_ids.contains(id)) {
      throw FormatError("sample " + std::to_string(i) + " refers to stack " + std::to_string(id) +
                        ", which is not in the file");
    }
  }
  return s;
}

OwnedBytes read_file(const std::filesystem::path& path, OwnedBytes bytes) {
  auto fail = [&](const char* what) {
    throw SnapshotError(path.string() + ": " + what + ": " + std::strerror(errno));
  };
  // O_NONBLOCK so that a FIFO given by mistake (a `control` file) cannot block the open.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fail("cannot open");
  struct stat st;
  if (fstat(fd, &st) != 0) { close(fd); fail("cannot stat"); }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    throw SnapshotError(path.string() + ": not a regular file");
  }
  // A buffer given is read into if the file fits, else replaced by one of twice its
  // capacity at least: the files of a leaking process grow a little each time.
  const size_t size = static_cast<size_t>(st.st_size);
  try {
    if (size > bytes.capacity || !bytes.data) bytes.reserve(std::max(size, bytes.capacity * 2));
  } catch (const std::bad_alloc&) {
    close(fd);
    throw;
  }
  bytes.size = size;
  size_t got = 0;
  while (got < bytes.size) {
    ssize_t n = read(fd, bytes.data.get() + got, bytes.size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { int e = errno; close(fd); errno = e; fail("cannot read"); }
    if (n == 0) break;  // shrank while reading: the framing checks will say so
    got += static_cast<size_t>(n);
  }
  close(fd);
  bytes.size = got;
  return bytes;
}

Snapshot parse(std::span<const uint8_t> bytes, std::string_view name, const StackFilter& wanted,
               std::optional<uint64_t> hashed, std::vector<Sample> reuse = {}) {
  try {
    if (is_compressed(bytes)) return decode_all(inflate_snapshot(bytes).span(), wanted, std::nullopt, std::move(reuse));
    return decode_all(bytes, wanted, hashed, std::move(reuse));
  } catch (const FormatError& e) {
    throw SnapshotError(std::string(name) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw SnapshotError(std::string(name) + ": out of memory while reading");
  }
}

}  // namespace

Snapshot parse_snapshot(std::span<const uint8_t> bytes, std::string_view name, const StackFilter& wanted) {
  return parse(bytes, name, wanted, std::nullopt);
}

LoadedSnapshot load_snapshot_file(const std::filesystem::path& path, OwnedBytes read_into, OwnedBytes inflate_into) {
  LoadedSnapshot file{path, {}, {}, std::nullopt};
  try {
    file.contents = read_file(path, std::move(read_into));
    if (is_compressed(file.contents.span())) {
      file.spare = std::move(file.contents);
      file.contents = inflate_snapshot(file.spare.span(), std::move(inflate_into));
    } else {
      file.spare = std::move(inflate_into);
    }
    std::span<const uint8_t> bytes = file.contents.span();
    if (bytes.size() >= sizeof(format::kMagic) + kTrailerSize &&
        std::memcmp(bytes.data(), format::kMagic, sizeof(format::kMagic)) == 0) {
      file.hashed = XXH3_64bits(bytes.data(), bytes.size() - kTrailerSize);
    }
  } catch (const FormatError& e) {
    throw SnapshotError(path.string() + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throw SnapshotError(path.string() + ": too large to read into memory");
  }
  return file;
}

Snapshot parse_snapshot_file(const LoadedSnapshot& file, const StackFilter& wanted, std::vector<Sample> reuse) {
  std::span<const uint8_t> bytes = file.contents.span();
  // A jemalloc heap profile stands for a snapshot wherever one is accepted (SPEC.md).
  if (is_jemalloc_profile(bytes)) return parse_jemalloc_profile(bytes, file.path.string());
  return parse(bytes, file.path.string(), wanted, file.hashed, std::move(reuse));
}

Snapshot read_snapshot(const std::filesystem::path& path, const StackFilter& wanted) {
  return parse_snapshot_file(load_snapshot_file(path), wanted);
}

ProcessInfo read_process(const std::filesystem::path& path) {
  return read_snapshot(path, [](const ProcessInfo&, uint32_t) { return false; }).process;
}

}  // namespace heapdrift
