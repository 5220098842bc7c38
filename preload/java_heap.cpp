#include "java_heap.h"

#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "dynamic_symbols.h"
#include "snapshot_format.h"

namespace heapdrift {
namespace {

// Where HotSpot keeps its heap's reserved range: the address of the static
// Universe::_collectedHeap (a CollectedHeap*), and the offsets of
// CollectedHeap::_reserved (a MemRegion) and of MemRegion's _start and _word_size. The
// table gives them for the libjvm that is loaded (JDK 17's _reserved is at 32, 25's at
// 48), so they are constant while it stays loaded.
struct HeapFields {
  uint64_t collected_heap = 0;
  uint64_t reserved = 0, region_start = 0, region_words = 0;
};

// The exported variable `name` of `libjvm`, as T; false when there is none.
template <class T>
bool exported(const dl_phdr_info& libjvm, const char* name, T* value) {
  const void* at = defined_address(libjvm, name);
  if (!at) return false;
  std::memcpy(value, at, sizeof(T));
  return true;
}

// Reads the fields from libjvm's gHotSpotVMStructs: an array of entries (type name, field
// name, type string, is-static, offset, address), laid out as the exported
// gHotSpotVMStructEntry*Offset variables say and ended by an entry without a type name.
std::optional<HeapFields> read_heap_fields(const dl_phdr_info& libjvm) {
  uint64_t table = 0, type_name = 0, field_name = 0, is_static = 0, offset = 0, address = 0, stride = 0;
  if (!exported(libjvm, "gHotSpotVMStructs", &table) || !table ||
      !exported(libjvm, "gHotSpotVMStructEntryTypeNameOffset", &type_name) ||
      !exported(libjvm, "gHotSpotVMStructEntryFieldNameOffset", &field_name) ||
      !exported(libjvm, "gHotSpotVMStructEntryIsStaticOffset", &is_static) ||
      !exported(libjvm, "gHotSpotVMStructEntryOffsetOffset", &offset) ||
      !exported(libjvm, "gHotSpotVMStructEntryAddressOffset", &address) ||
      !exported(libjvm, "gHotSpotVMStructEntryArrayStride", &stride) || stride < 8) {
    return std::nullopt;
  }
  HeapFields f;
  int seen = 0;  // one bit a field
  // JDK 17's table has 801 entries, 25's 585; a bound in case it is not what it seems.
  for (uint64_t i = 0; i < 100000 && seen != 0xf; ++i) {
    const auto* entry = reinterpret_cast<const char*>(table + i * stride);
    const char *type, *field;
    std::memcpy(&type, entry + type_name, sizeof(type));
    if (!type) break;
    std::memcpy(&field, entry + field_name, sizeof(field));
    if (!field) continue;
    int32_t static_field;
    uint64_t value;
    std::memcpy(&static_field, entry + is_static, sizeof(static_field));
    std::memcpy(&value, entry + (static_field ? address : offset), sizeof(value));
    const std::string_view t(type), n(field);
    if (t == "Universe" && n == "_collectedHeap" && static_field) {
      f.collected_heap = value, seen |= 1;
    } else if (t == "CollectedHeap" && n == "_reserved" && !static_field) {
      f.reserved = value, seen |= 2;
    } else if (t == "MemRegion" && n == "_start" && !static_field) {
      f.region_start = value, seen |= 4;
    } else if (t == "MemRegion" && n == "_word_size" && !static_field) {
      f.region_words = value, seen |= 8;
    }
  }
  if (seen != 0xf || !f.collected_heap) return std::nullopt;
  return f;
}

// The fields of `libjvm`, read from its symbol table in memory, not through dlopen and
// dlsym: the snapshot lock is held here, and the loader's lock must not be waited for
// under it (lifecycle.cpp). The table is libjvm's static data, read inside
// dl_iterate_phdr's callback, during which no dlclose can unmap it.
std::optional<HeapFields> heap_fields(const Module& libjvm) {
  struct Search {
    const Module& libjvm;
    std::optional<HeapFields> fields;
  } search{libjvm, std::nullopt};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        if (info->dlpi_addr != s->libjvm.load_bias || !info->dlpi_name || s->libjvm.path != info->dlpi_name) {
          return 0;
        }
        s->fields = read_heap_fields(*info);
        return 1;
      },
      &search);
  return search.fields;
}

// A word of this process's memory, read so that a wrong address is an error.
bool read_word(uint64_t address, uint64_t* value) {
  std::string bytes;
  if (!read_own_memory(address, sizeof(*value), &bytes)) return false;
  std::memcpy(value, bytes.data(), sizeof(*value));
  return true;
}

}  // namespace

bool resident_bytes(uint64_t start, uint64_t end, const std::vector<Mapping>& maps, uint64_t* bytes) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // An entry of 8 bytes a page, 32 MiB of 4 KiB pages a read; the kernel holds the mmap
  // lock (for reading) over 2 MiB of them at a time, so the program's mmap calls hardly
  // wait.
  std::vector<uint64_t> entries(8192);
  uint64_t pages = 0;
  bool read_all = true;
  for (const Mapping& m : maps) {
    const uint64_t lo = (std::max(start, m.start) + page - 1) / page * page;
    const uint64_t hi = std::min(end, m.end) / page * page;
    if (lo >= hi || !(m.prot & format::kProtRead)) continue;
    for (uint64_t at = lo; at < hi && read_all;) {
      const uint64_t n = std::min<uint64_t>((hi - at) / page, entries.size());
      const ssize_t got = pread(fd, entries.data(), n * 8, static_cast<off_t>(at / page * 8));
      // A range unmapped since the maps were read reads as not present. A short read
      // is an error.
      read_all = got == static_cast<ssize_t>(n * 8);
      for (uint64_t i = 0; read_all && i < n; ++i) pages += entries[i] >> 63;  // bit 63: in RAM
      at += n * page;
    }
  }
  close(fd);
  *bytes = pages * page;
  return read_all;
}

namespace {

// The heap's reserved range [start, end), from HotSpot's table and the heap's own fields;
// false when the table lacks them, or before the heap is set up (the pointer is null).
bool reserved_range(const Module& libjvm, uint64_t* start, uint64_t* end) {
  // Looked up again only for another libjvm (a load bias of its own).
  static std::optional<HeapFields> fields;
  static std::optional<uint64_t> fields_bias;
  if (fields_bias != libjvm.load_bias) {
    fields = heap_fields(libjvm);
    fields_bias = libjvm.load_bias;
  }
  uint64_t heap = 0, words = 0;
  if (!fields || !read_word(fields->collected_heap, &heap) || heap == 0 ||
      !read_word(heap + fields->reserved + fields->region_start, start) ||
      !read_word(heap + fields->reserved + fields->region_words, &words) || words == 0 ||
      words > (UINT64_MAX - *start) / 8) {
    return false;
  }
  *end = *start + words * 8;
  return true;
}

// ZGC's heap is not that range (ZGC leaves it empty) but a memfd, mapped in three views
// by JDK 17 and in one by JDK 25's generational ZGC; RSS counts the pages of each view.
void add_shared_heap_resident(const std::vector<Mapping>& maps, MemoryStats* stats) {
  constexpr std::string_view kZgcHeap = "/memfd:java_heap";
  uint64_t shared = 0, view;
  bool found = false;
  for (const Mapping& m : maps) {
    if (!std::string_view(m.path).starts_with(kZgcHeap) || !resident_bytes(m.start, m.end, {m}, &view)) continue;
    shared += view, found = true;
  }
  if (found) stats->values.emplace_back("jvm.heap_resident_shared_bytes", shared);
}

}  // namespace

void add_java_heap_resident(const std::vector<Module>& modules, const std::vector<Mapping>& maps,
                            MemoryStats* stats) {
  const auto libjvm = std::find_if(modules.begin(), modules.end(), [](const Module& m) {
    return std::string_view(m.path).ends_with("/libjvm.so");
  });
  if (libjvm == modules.end()) return;
  uint64_t start, end, bytes;
  if (reserved_range(*libjvm, &start, &end) && resident_bytes(start, end, maps, &bytes)) {
    stats->values.emplace_back("jvm.heap_resident_bytes", bytes);
  }
  add_shared_heap_resident(maps, stats);
}

}  // namespace heapdrift
