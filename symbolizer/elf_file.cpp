#include "elf_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <zlib.h>

namespace heapdrift::symbolizer {

std::string build_id_hex(std::span<const uint8_t> id) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(id.size() * 2);
  for (uint8_t b : id) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 15]);
  }
  return hex;
}

std::unique_ptr<ElfFile> ElfFile::open(const std::string& path, std::string* error) {
  static const bool initialized = elf_version(EV_CURRENT) != EV_NONE;
  if (!initialized) {
    *error = "libelf: version mismatch";
    return nullptr;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr || elf_kind(elf) != ELF_K_ELF) {
    *error = path + ": not an ELF file";
    if (elf != nullptr) elf_end(elf);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<ElfFile>(new ElfFile(path, fd, elf));
}

ElfFile::~ElfFile() {
  if (elf_ != nullptr) elf_end(elf_);
  if (fd_ >= 0) ::close(fd_);
}

std::vector<uint8_t> ElfFile::build_id() const {
  const void* bits = nullptr;
  ssize_t n = elf_ != nullptr ? dwelf_elf_gnu_build_id(elf_, &bits) : -1;
  if (n <= 0) return {};
  auto* p = static_cast<const uint8_t*>(bits);
  return std::vector<uint8_t>(p, p + n);
}

bool ElfFile::debuglink(std::string* name, uint32_t* crc) const {
  GElf_Word word = 0;
  const char* link = elf_ != nullptr ? dwelf_elf_gnu_debuglink(elf_, &word) : nullptr;
  if (link == nullptr || *link == '\0') return false;
  *name = link;
  *crc = word;
  return true;
}

int ElfFile::release_fd() {
  if (elf_ != nullptr) elf_end(elf_);
  elf_ = nullptr;
  int fd = fd_;
  fd_ = -1;
  return fd;
}

bool file_crc32(const std::string& path, uint32_t* crc) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uLong value = crc32(0L, Z_NULL, 0);
  unsigned char buf[1 << 16];
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    value = crc32(value, buf, static_cast<uInt>(n));
  }
  ::close(fd);
  *crc = static_cast<uint32_t>(value);
  return ok;
}

}  // namespace heapdrift::symbolizer
