#include "inflated_dwarf.h"

#include <fcntl.h>
#include <gelf.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include <string_view>
#include <vector>

#include "elf_file.h"

namespace heapdrift::symbolizer {
namespace {

// The gABI's zstd compression type; glibc 2.36's <elf.h> predates it.
constexpr GElf_Word kCompressZstd = 2;

struct Compressed {
  Elf_Scn* scn;
  Elf_Data* data;  // libelf's, replaced by the inflated data
  GElf_Chdr header;
  const uint8_t* in;  // the compressed stream, after the header
  size_t in_size;
  size_t offset;  // in the mapping of inflated sections
};

// Whether a section's compression header can be believed: a known type, an alignment
// libelf would take, and a size the stream can reach (deflate expands at most 1032
// times; a zstd frame states its size, and only single frames are taken).
bool plausible(const Compressed& c) {
  const GElf_Chdr& h = c.header;
  if (h.ch_addralign > 4096 || (h.ch_addralign & (h.ch_addralign - 1)) != 0) return false;
  if (h.ch_type == ELFCOMPRESS_ZLIB) return h.ch_size / 1032 <= c.in_size;
  return h.ch_type == kCompressZstd && ZSTD_getFrameContentSize(c.in, c.in_size) == h.ch_size;
}

// Sections no lookup reads (variables' locations, macros): not inflated, and hidden
// from libdw, which would inflate them through zlib. libjvm's .debug_loclists is 51 MB.
bool unread(std::string_view name) {
  return name == ".debug_loc" || name == ".debug_loclists" || name == ".debug_macro" || name == ".debug_macinfo";
}

// Inflates a zlib stream (or several, back to back, as libelf accepts) into exactly
// `out_size` bytes.
bool inflate(libdeflate_decompressor* d, const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  size_t done = 0;
  while (in_size > 0) {
    size_t used = 0, made = 0;
    if (libdeflate_zlib_decompress_ex(d, in, in_size, out + done, out_size - done, &used, &made) !=
        LIBDEFLATE_SUCCESS) {
      return false;
    }
    in += used;
    in_size -= used;
    done += made;
  }
  return done == out_size;
}

}  // namespace

uint64_t load_end(Elf* elf) {
  size_t count = 0;
  if (elf_getphdrnum(elf, &count) != 0) return 0;
  uint64_t end = 0;
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf, static_cast<int>(i), &phdr) != nullptr && phdr.p_type == PT_LOAD) {
      end = phdr.p_vaddr + phdr.p_memsz;  // libdwfl takes the last one's
    }
  }
  return end;
}

bool has_debug_info(Elf* elf) {
  bool found = false;
  for_each_section(elf, [&](Elf_Scn*, const GElf_Shdr& shdr, std::string_view name) {
    found = (name == ".debug_info" || name == ".zdebug_info") && shdr.sh_type != SHT_NOBITS && shdr.sh_size > 0;
    return !found;
  });
  return found;
}

std::unique_ptr<InflatedDwarf> InflatedDwarf::open(const std::string& path) {
  std::unique_ptr<InflatedDwarf> self(new InflatedDwarf);
  self->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (self->fd_ < 0) return nullptr;
  elf_version(EV_CURRENT);
  self->elf_ = elf_begin(self->fd_, ELF_C_READ_MMAP, nullptr);
  if (self->elf_ == nullptr || elf_kind(self->elf_) != ELF_K_ELF) return nullptr;

  size_t header_size = gelf_fsize(self->elf_, ELF_T_CHDR, 1, EV_CURRENT);
  std::vector<Compressed> compressed;
  bool info_compressed = false, alt_link = false, unknown = false;
  size_t total = 0;
  for_each_section(self->elf_, [&](Elf_Scn* scn, const GElf_Shdr& shdr, std::string_view name) {
    if (name == ".gnu_debugaltlink") alt_link = true;
    if (!name.starts_with(".debug_") || !(shdr.sh_flags & SHF_COMPRESSED) || shdr.sh_type == SHT_NOBITS) return true;
    if (unread(name)) {
      GElf_Shdr hidden = shdr;
      hidden.sh_type = SHT_NOBITS;  // libdw skips those
      if (!gelf_update_shdr(scn, &hidden)) unknown = true;
      return !unknown;
    }
    Compressed c{scn, elf_getdata(scn, nullptr), {}, nullptr, 0, 0};
    if (gelf_getchdr(scn, &c.header) != nullptr && c.data != nullptr && c.data->d_size > header_size) {
      c.in = static_cast<const uint8_t*>(c.data->d_buf) + header_size;
      c.in_size = c.data->d_size - header_size;
    }
    if (c.in == nullptr || !plausible(c)) {
      unknown = true;
      return false;
    }
    // Sizes come from the file: a sum that wraps would map less than is written.
    size_t align = c.header.ch_addralign > 16 ? c.header.ch_addralign : 16;
    if (__builtin_add_overflow(total, align - 1, &c.offset) ||
        __builtin_add_overflow(c.offset & ~(align - 1), c.header.ch_size, &total)) {
      unknown = true;
      return false;
    }
    c.offset &= ~(align - 1);
    if (name == ".debug_info") info_compressed = true;
    compressed.push_back(c);
    return true;
  });
  if (!info_compressed || alt_link || unknown) return nullptr;

  self->sections_size_ = total;
  self->sections_ = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (self->sections_ == MAP_FAILED) {
    self->sections_ = nullptr;
    return nullptr;
  }
  madvise(self->sections_, total, MADV_HUGEPAGE);  // a hint: THP may be off

  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (d == nullptr) return nullptr;
  bool ok = true;
  for (const Compressed& c : compressed) {
    auto* out = static_cast<uint8_t*>(self->sections_) + c.offset;
    if (c.header.ch_type == kCompressZstd ? ZSTD_decompress(out, c.header.ch_size, c.in, c.in_size) != c.header.ch_size
                                          : !inflate(d, c.in, c.in_size, out, c.header.ch_size)) {
      ok = false;
      break;
    }
    // What elf_compress(scn, 0, 0) leaves: the section's data and header say inflated.
    c.data->d_buf = out;
    c.data->d_size = c.header.ch_size;
    c.data->d_type = ELF_T_BYTE;
    c.data->d_align = c.header.ch_addralign;
    GElf_Shdr shdr;
    if (gelf_getshdr(c.scn, &shdr) == nullptr) {
      ok = false;
      break;
    }
    shdr.sh_flags &= ~static_cast<GElf_Xword>(SHF_COMPRESSED);
    shdr.sh_size = c.header.ch_size;
    shdr.sh_addralign = c.header.ch_addralign;
    if (!gelf_update_shdr(c.scn, &shdr)) {
      ok = false;
      break;
    }
  }
  libdeflate_free_decompressor(d);
  if (!ok) return nullptr;
  mprotect(self->sections_, total, PROT_READ);

  self->dwarf_ = dwarf_begin_elf(self->elf_, DWARF_C_READ, nullptr);
  if (self->dwarf_ == nullptr) return nullptr;
  return self;
}

InflatedDwarf::~InflatedDwarf() {
  if (dwarf_ != nullptr) dwarf_end(dwarf_);
  if (elf_ != nullptr) elf_end(elf_);
  if (fd_ >= 0) ::close(fd_);
  if (sections_ != nullptr) munmap(sections_, sections_size_);
}

}  // namespace heapdrift::symbolizer
