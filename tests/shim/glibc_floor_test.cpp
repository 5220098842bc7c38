// glibc_floor: the two libraries heapdrift puts into a target process (the shim and the
// JVM agent) load into programs of distributions older than the build machine's:
// they name no library but glibc's own as a dependency (no libunwind, no C++ runtime),
// and ask glibc for no symbol version newer than 2.17. A loader that lacks a version
// an object asks for refuses to start the program (preload/glibc_floor.h). Read from
// the files' own version tables; old_distro_test.cpp runs the shim on an older glibc.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Dependencies {
  std::set<std::string> libraries;  // DT_NEEDED
  std::set<std::string> versions;   // versions asked of them (SHT_GNU_verneed)
};

Dependencies dependencies_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Dependencies d;
  if (file.size() < sizeof(Elf64_Ehdr)) throw std::runtime_error(path + ": not an ELF file");
  const char* base = file.data();
  auto ehdr = reinterpret_cast<const Elf64_Ehdr*>(base);
  if (std::memcmp(ehdr->e_ident, ELFMAG, SELFMAG) != 0 || ehdr->e_ident[EI_CLASS] != ELFCLASS64 ||
      ehdr->e_shoff + size_t{ehdr->e_shnum} * sizeof(Elf64_Shdr) > file.size()) {
    throw std::runtime_error(path + ": not a 64-bit ELF file");
  }
  auto sections = reinterpret_cast<const Elf64_Shdr*>(base + ehdr->e_shoff);
  for (int i = 0; i < ehdr->e_shnum; ++i) {
    const Elf64_Shdr& s = sections[i];
    const char* strings = base + sections[s.sh_link].sh_offset;
    if (s.sh_type == SHT_DYNAMIC) {
      auto dyn = reinterpret_cast<const Elf64_Dyn*>(base + s.sh_offset);
      for (size_t k = 0; k < s.sh_size / sizeof(Elf64_Dyn); ++k) {
        if (dyn[k].d_tag == DT_NEEDED) d.libraries.insert(strings + dyn[k].d_un.d_val);
      }
    } else if (s.sh_type == SHT_GNU_verneed) {
      const char* need = base + s.sh_offset;
      for (unsigned n = 0; n < s.sh_info; ++n) {
        auto vn = reinterpret_cast<const Elf64_Verneed*>(need);
        const char* aux = need + vn->vn_aux;
        for (unsigned a = 0; a < vn->vn_cnt; ++a) {
          auto vna = reinterpret_cast<const Elf64_Vernaux*>(aux);
          d.versions.insert(strings + vna->vna_name);
          aux += vna->vna_next;
        }
        need += vn->vn_next;
      }
    }
  }
  return d;
}

// "GLIBC_2.3.4" -> {2, 3, 4}; empty for any other name (GLIBC_PRIVATE, GCC_3.0).
std::vector<int> glibc_version(const std::string& name) {
  if (name.rfind("GLIBC_", 0) != 0) return {};
  std::vector<int> parts;
  size_t at = 6;
  while (at < name.size()) {
    size_t end = name.find('.', at);
    if (end == std::string::npos) end = name.size();
    try {
      parts.push_back(std::stoi(name.substr(at, end - at)));
    } catch (const std::exception&) {
      return {};
    }
    at = end + 1;
  }
  return parts;
}

void expect_loadable_on_glibc_2_17(const std::string& path) {
  const Dependencies d = dependencies_of(path);
  const std::set<std::string> glibcs = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2",
                                        "ld-linux-x86-64.so.2"};
  for (const std::string& library : d.libraries) {
    EXPECT_TRUE(glibcs.count(library)) << path << " needs " << library << ", which is not glibc's";
  }
  EXPECT_FALSE(d.versions.empty()) << path << ": no version table read";
  for (const std::string& version : d.versions) {
    std::vector<int> v = glibc_version(version);
    EXPECT_FALSE(v.empty()) << path << " asks for " << version;
    EXPECT_LE(v, (std::vector<int>{2, 17})) << path << " asks for " << version;
  }
}

TEST(glibc_floor, the_shim_needs_nothing_newer_than_glibc_2_17) { expect_loadable_on_glibc_2_17(SHIM); }

TEST(glibc_floor, the_jvm_agent_needs_nothing_newer_than_glibc_2_17) { expect_loadable_on_glibc_2_17(JVM_AGENT); }

}  // namespace
