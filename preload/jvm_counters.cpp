#include "jvm_counters.h"

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace heapdrift {
namespace {

// HotSpot's layout (perfMemory.hpp, perfData.hpp), in the JVM's byte order, which the
// prologue names: a 32-byte prologue, then entries from entry_offset, each a 20-byte
// header whose offsets count from the entry's start.
constexpr uint8_t kMagic[4] = {0xca, 0xfe, 0xc0, 0xc0};
constexpr uint8_t kLittleEndian = 1;
constexpr size_t kPrologueSize = 32, kEntryHeaderSize = 20;

// An unaligned little-endian T at `at` (the caller checked the bounds).
template <class T>
T load(std::span<const uint8_t> b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof(v));
  return v;
}

// PREFIX N SUFFIX for a number N: "sun.gc.generation.1.capacity" is a generation's
// committed bytes (the spaces inside it have counters of their own, by longer names).
bool numbered(std::string_view name, std::string_view prefix, std::string_view suffix) {
  if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix)) {
    return false;
  }
  // Not substr, which may throw: the shim has no C++ runtime (real_alloc.h).
  const std::string_view n(name.data() + prefix.size(), name.size() - prefix.size() - suffix.size());
  return n.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::vector<std::pair<std::string, uint64_t>> jvm_counters(std::span<const uint8_t> image) {
  std::vector<std::pair<std::string, uint64_t>> out;
  if (image.size() < kPrologueSize || std::memcmp(image.data(), kMagic, sizeof(kMagic)) != 0 ||
      image[4] != kLittleEndian || image[5] != 2) {
    return out;  // not hsperfdata, or of a byte order or major version this reader does not know
  }
  const size_t used = std::min<size_t>(load<uint32_t>(image, 8), image.size());
  size_t at = load<uint32_t>(image, 24);
  const uint32_t entries = load<uint32_t>(image, 28);

  uint64_t heap = 0, gcs = 0, classes = 0, unloaded = 0;
  bool any_heap = false, any_gc = false;
  std::pair<const char*, const char*> named[] = {
      {"sun.gc.metaspace.capacity", "jvm.metaspace_committed_bytes"},
      {"sun.gc.metaspace.used", "jvm.metaspace_used_bytes"},
      {"sun.gc.compressedclassspace.capacity", "jvm.class_space_committed_bytes"},
      {"java.threads.live", "jvm.threads"},
  };
  for (uint32_t i = 0; i < entries && at >= kPrologueSize && at + kEntryHeaderSize <= used; ++i) {
    const uint32_t length = load<uint32_t>(image, at), name_offset = load<uint32_t>(image, at + 4);
    const uint32_t vector_length = load<uint32_t>(image, at + 8), data_offset = load<uint32_t>(image, at + 16);
    const char type = static_cast<char>(image[at + 12]);
    if (length < kEntryHeaderSize || length > used - at) break;
    const std::span<const uint8_t> entry = image.subspan(at, length);
    at += length;
    // A scalar long ('J'), its name NUL-terminated inside the entry.
    if (type != 'J' || vector_length != 0 || data_offset > length - 8 || name_offset >= length) continue;
    const auto* name_begin = reinterpret_cast<const char*>(entry.data() + name_offset);
    const void* nul = std::memchr(name_begin, 0, length - name_offset);
    if (!nul) continue;
    const std::string_view name(name_begin, static_cast<const char*>(nul) - name_begin);
    const uint64_t value = load<uint64_t>(entry, data_offset);
    if (numbered(name, "sun.gc.generation.", ".capacity")) {
      heap += value, any_heap = true;
    } else if (numbered(name, "sun.gc.collector.", ".invocations")) {
      gcs += value, any_gc = true;
    } else if (name == "java.cls.loadedClasses" || name == "java.cls.sharedLoadedClasses") {
      classes += value;
    } else if (name == "java.cls.unloadedClasses" || name == "java.cls.sharedUnloadedClasses") {
      unloaded += value;
    } else {
      for (const auto& [counter, key] : named) {
        if (name == counter) out.emplace_back(key, value);
      }
    }
  }
  if (any_heap) out.emplace_back("jvm.heap_committed_bytes", heap);
  if (any_gc) out.emplace_back("jvm.gcs", gcs);
  if (classes > 0) out.emplace_back("jvm.classes", classes >= unloaded ? classes - unloaded : 0);
  return out;
}

void add_jvm_counters(const std::vector<Mapping>& maps, MemoryStats* stats) {
  const std::string pid = std::to_string(getpid());
  constexpr std::string_view kDeleted = " (deleted)";
  for (const Mapping& m : maps) {
    // The JVM's own file, by its pid; not another JVM's that this one maps (jstat's
    // attach does). The JVM removes it as it exits but keeps it mapped: the exit
    // snapshot reads it from memory.
    std::string_view path(m.path);
    const bool deleted = path.ends_with(kDeleted);
    if (deleted) path.remove_suffix(kDeleted.size());
    const size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) continue;
    const std::string_view file(path.data() + slash + 1, path.size() - slash - 1);
    const std::string_view dir(path.data(), slash);
    const size_t parent = dir.rfind('/');
    if (file != pid || parent == std::string_view::npos ||
        !std::string_view(dir.data() + parent + 1, dir.size() - parent - 1).starts_with("hsperfdata_")) {
      continue;
    }
    std::string bytes;
    // HotSpot's file is 32 KiB by default (-XX:PerfDataMemorySize), within what
    // read_own_memory reads.
    if (deleted ? !read_own_memory(m.start, m.end - m.start, &bytes) : !read_small_file(m.path.c_str(), &bytes)) {
      return;
    }
    for (auto& kv : jvm_counters({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()})) {
      stats->values.push_back(std::move(kv));
    }
    return;
  }
}

}  // namespace heapdrift
