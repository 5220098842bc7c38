#include "preload_reach.h"

#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace heapdrift::cli {
namespace {
namespace fs = std::filesystem;

// The file execvp would run: `program` itself when it holds a '/', else the first
// executable regular file of that name along PATH (glibc's default when unset).
std::optional<fs::path> find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return fs::path(program);
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/bin:/usr/bin";
  for (size_t at = 0; at <= path.size();) {
    size_t end = path.find(':', at);
    if (end == std::string::npos) end = path.size();
    fs::path candidate = fs::path(end == at ? "." : path.substr(at, end - at)) / program;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    at = end + 1;
  }
  return std::nullopt;
}

// Whether `file` is a program of our own ELF class and byte order without an
// interpreter (PT_INTERP names the dynamic loader); nothing when it is no ELF file we
// can read: a script (its interpreter is what runs), or another class, which the
// loader reports itself when it refuses the shim.
std::optional<bool> statically_linked(const fs::path& file) {
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto read_at = [fd](void* buf, size_t len, off_t offset) {
    return pread(fd, buf, len, offset) == static_cast<ssize_t>(len);
  };
  constexpr unsigned char kOurClass = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
  constexpr unsigned char kOurData = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
  std::optional<bool> result;
  ElfW(Ehdr) eh;
  if (read_at(&eh, sizeof(eh), 0) && std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
      eh.e_ident[EI_CLASS] == kOurClass && eh.e_ident[EI_DATA] == kOurData && eh.e_phentsize == sizeof(ElfW(Phdr))) {
    std::vector<ElfW(Phdr)> ph(eh.e_phnum);
    if (read_at(ph.data(), ph.size() * sizeof(ElfW(Phdr)), static_cast<off_t>(eh.e_phoff))) {
      result = true;
      for (const ElfW(Phdr)& p : ph) {
        if (p.p_type == PT_INTERP) result = false;
      }
    }
  }
  close(fd);
  return result;
}

// The kernel runs a set-user-ID program in secure-execution mode when its owner is
// not the user running it (likewise for set-group-ID and the group), unless the file
// system is mounted nosuid, which ignores the bits.
const char* secure_execution(const fs::path& file) {
  struct stat st;
  struct statvfs vfs;
  if (stat(file.c_str(), &st) != 0) return nullptr;
  if (statvfs(file.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) return nullptr;
  if ((st.st_mode & S_ISUID) && st.st_uid != getuid()) return "set-user-ID";
  if ((st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP) && st.st_gid != getgid()) return "set-group-ID";
  return nullptr;
}

}  // namespace

std::optional<std::string> why_preload_cannot_reach(const std::string& program) {
  std::optional<fs::path> file = find_program(program);
  if (!file) return std::nullopt;
  if (statically_linked(*file).value_or(false)) return "is statically linked, so no dynamic loader reads LD_PRELOAD";
  if (const char* mode = secure_execution(*file)) {
    return std::string("is ") + mode + ", so the dynamic loader ignores LD_PRELOAD (secure-execution mode)";
  }
  return std::nullopt;
}

}  // namespace heapdrift::cli
