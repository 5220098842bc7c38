#include "process_modules.h"

#include <climits>
#include <cstring>
#include <elf.h>
#include <link.h>
#include <unistd.h>

namespace heapdrift::symbolizer::test {
namespace {

std::vector<uint8_t> build_id_of(const dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    auto* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const char* name = p + sizeof(ElfW(Nhdr));
      const char* desc = name + ((note->n_namesz + 3) & ~3u);
      const char* next = desc + ((note->n_descsz + 3) & ~3u);
      if (next > end) break;
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        return std::vector<uint8_t>(desc, desc + note->n_descsz);
      }
      p = next;
    }
  }
  return {};
}

int collect(dl_phdr_info* info, size_t, void* data) {
  auto* modules = static_cast<std::vector<ModuleDesc>*>(data);
  ModuleDesc m;
  if (info->dlpi_name != nullptr && info->dlpi_name[0] != '\0') {
    m.path = info->dlpi_name;
  } else if (modules->empty()) {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n > 0) m.path.assign(buf, static_cast<size_t>(n));
  }
  m.load_bias = info->dlpi_addr;
  m.build_id = build_id_of(info);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) m.segments.push_back({ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_flags});
  }
  modules->push_back(std::move(m));
  return 0;
}

}  // namespace

std::vector<ModuleDesc> current_modules() {
  std::vector<ModuleDesc> modules;
  dl_iterate_phdr(collect, &modules);
  return modules;
}

int module_containing(const std::vector<ModuleDesc>& modules, const void* address) {
  auto a = reinterpret_cast<uint64_t>(address);
  for (size_t i = 0; i < modules.size(); ++i) {
    for (const Segment& s : modules[i].segments) {
      uint64_t start = modules[i].load_bias + s.vaddr;
      if (a >= start && a < start + s.memsz) return static_cast<int>(i);
    }
  }
  return -1;
}

int module_named(const std::vector<ModuleDesc>& modules, const std::string& path) {
  for (size_t i = 0; i < modules.size(); ++i) {
    if (modules[i].path == path) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace heapdrift::symbolizer::test
