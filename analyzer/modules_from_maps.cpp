#include "modules_from_maps.h"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <gelf.h>
#include <optional>
#include <unistd.h>

namespace heapdrift {
namespace {

struct ElfFacts {
  std::vector<Segment> segments;
  std::vector<uint8_t> build_id;
  bool shared_object = true;  // ET_DYN (a library or a PIE); ET_EXEC is loaded at its vaddrs
};

std::vector<uint8_t> build_id_in(Elf* elf) {
  size_t count = 0;
  if (elf_getphdrnum(elf, &count) != 0) return {};
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf, int(i), &ph) == nullptr || ph.p_type != PT_NOTE) continue;
    Elf_Data* data = elf_getdata_rawchunk(elf, int64_t(ph.p_offset), ph.p_filesz, ELF_T_NHDR);
    if (data == nullptr) continue;
    size_t off = 0, name_off = 0, desc_off = 0;
    GElf_Nhdr nh;
    while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
      const char* base = static_cast<const char*>(data->d_buf);
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(base + name_off, "GNU", 4) == 0) {
        return std::vector<uint8_t>(base + desc_off, base + desc_off + nh.n_descsz);
      }
    }
  }
  return {};
}

std::optional<ElfFacts> read_elf(const std::string& path) {
  elf_version(EV_CURRENT);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  std::optional<ElfFacts> out;
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr); elf != nullptr) {
    GElf_Ehdr eh;
    size_t count = 0;
    if (elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) != nullptr && elf_getphdrnum(elf, &count) == 0) {
      ElfFacts f;
      f.shared_object = eh.e_type == ET_DYN;
      for (size_t i = 0; i < count; ++i) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, int(i), &ph) != nullptr && ph.p_type == PT_LOAD) {
          f.segments.push_back({ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_flags});
        }
      }
      f.build_id = build_id_in(elf);
      if (!f.segments.empty()) out = std::move(f);
    }
    elf_end(elf);
  }
  close(fd);
  return out;
}

uint32_t elf_flags(uint32_t prot) {
  return ((prot & format::kProtExec) ? 1u : 0u) | ((prot & format::kProtWrite) ? 2u : 0u) |
         ((prot & format::kProtRead) ? 4u : 0u);
}

// The bias that puts file offset `m.offset` of the segment holding it at `m.start`.
std::optional<uint64_t> bias_from(const Mapping& m, const std::vector<Segment>& segments) {
  for (const Segment& s : segments) {
    uint64_t page_offset = s.offset & ~uint64_t(0xfff);
    if (m.offset >= page_offset && m.offset < s.offset + std::max<uint64_t>(s.memsz, 1)) {
      return m.start - (m.offset + (s.vaddr - s.offset));
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<Module> modules_from_maps(const std::vector<Mapping>& maps) {
  std::vector<Module> modules;
  std::vector<std::string> seen;
  for (const Mapping& first : maps) {
    if (first.path.empty() || first.path[0] != '/') continue;
    if (std::find(seen.begin(), seen.end(), first.path) != seen.end()) continue;
    seen.push_back(first.path);
    std::vector<const Mapping*> mine;
    bool code = false;
    for (const Mapping& m : maps) {
      if (m.path == first.path) mine.push_back(&m), code |= (m.prot & format::kProtExec) != 0;
    }
    if (!code) continue;  // a data file (locale archive, ...), not a module
    Module module;
    module.path = first.path;
    std::optional<ElfFacts> elf = read_elf(first.path);
    std::optional<uint64_t> bias;
    if (elf) {
      bias = elf->shared_object ? bias_from(first, elf->segments) : std::optional<uint64_t>(0);
    }
    if (elf && bias) {
      module.load_bias = *bias;
      module.segments = elf->segments;
      module.build_id = elf->build_id;
    } else {
      module.load_bias = first.start - first.offset;
      for (const Mapping* m : mine) {
        module.segments.push_back({m->start - module.load_bias, m->end - m->start, m->offset, elf_flags(m->prot)});
      }
    }
    modules.push_back(std::move(module));
  }
  return modules;
}

}  // namespace heapdrift
