#include "module_map.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include "snapshot_format.h"

namespace heapdrift {
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
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
        return std::vector<uint8_t>(desc, desc + note->n_descsz);
      }
      p = next;
    }
  }
  return {};
}

int collect_module(dl_phdr_info* info, size_t, void* data) {
  auto* modules = static_cast<std::vector<Module>*>(data);
  Module m;
  // The main program comes first, with an empty name.
  m.path = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name
           : modules->empty()                    ? executable_path()
                                                 : std::string();
  m.load_bias = info->dlpi_addr;
  m.build_id = build_id_of(info);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) m.segments.push_back({ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_flags});
  }
  modules->push_back(std::move(m));
  return 0;
}

struct RangeQuery {
  uintptr_t address, lo, hi;
  bool found;
};

int find_range(dl_phdr_info* info, size_t, void* data) {
  auto* q = static_cast<RangeQuery*>(data);
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  bool contains = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t start = info->dlpi_addr + ph.p_vaddr, end = start + ph.p_memsz;
    if (q->address >= start && q->address < end) contains = true;
    if (ph.p_flags & PF_X) {
      if (start < lo) lo = start;
      if (end > hi) hi = end;
    }
  }
  if (!contains || lo >= hi) return 0;
  q->lo = lo;
  q->hi = hi;
  q->found = true;
  return 1;
}

uint32_t parse_prot(const char* perms) {
  uint32_t prot = 0;
  if (perms[0] == 'r') prot |= format::kProtRead;
  if (perms[1] == 'w') prot |= format::kProtWrite;
  if (perms[2] == 'x') prot |= format::kProtExec;
  if (perms[3] == 's') prot |= format::kProtShared;
  return prot;
}

}  // namespace

std::string executable_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::vector<Module> loaded_modules() {
  std::vector<Module> modules;
  dl_iterate_phdr(collect_module, &modules);
  return modules;
}

bool code_range_of(const void* address, uintptr_t* lo, uintptr_t* hi) {
  RangeQuery q{reinterpret_cast<uintptr_t>(address), 0, 0, false};
  dl_iterate_phdr(find_range, &q);
  *lo = q.lo;
  *hi = q.hi;
  return q.found;
}

bool read_small_file(const char* path, std::string* out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return true;
}

bool read_own_memory(uint64_t start, uint64_t size, std::string* out) {
  if (size == 0 || size > (1u << 20) || start > uint64_t{INT64_MAX} - size) return false;
  const int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->resize(size);
  const bool read = pread(fd, out->data(), size, static_cast<off_t>(start)) == static_cast<ssize_t>(size);
  close(fd);
  return read;
}

std::vector<Mapping> memory_mappings() {
  std::vector<Mapping> maps;
  std::string text;
  if (!read_small_file("/proc/self/maps", &text)) return maps;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    // start-end perms offset dev inode [path]
    unsigned long long start, end, offset, inode;
    char perms[5] = {};
    char dev[16] = {};
    int path_at = 0;
    if (sscanf(line.c_str(), "%llx-%llx %4s %llx %15s %llu %n", &start, &end, perms, &offset, dev,
               &inode, &path_at) < 6) {
      continue;
    }
    Mapping m{start, end, offset, parse_prot(perms), {}};
    if (path_at > 0 && static_cast<size_t>(path_at) < line.size()) m.path = line.substr(path_at);
    maps.push_back(std::move(m));
  }
  return maps;
}

}  // namespace heapdrift
