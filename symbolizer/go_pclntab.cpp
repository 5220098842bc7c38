#include "go_pclntab.h"

#include <cstring>
#include <string_view>

#include "elf_file.h"

namespace heapdrift::symbolizer {
namespace {

// pcHeader (runtime/symtab.go), for 8-byte pointers: magic, two pads, the pc quantum,
// the pointer size, then nfunc, nfiles, textStart and five offsets from the header.
constexpr uint32_t kMagic118 = 0xfffffff0, kMagic120 = 0xfffffff1;
constexpr uint64_t kHeaderSize = 72;
// A function's record (_func): the offsets of the fields read, the same in 1.18 and later.
constexpr uint64_t kFuncName = 4, kFuncPcFile = 20, kFuncPcLine = 24, kFuncCuOffset = 32, kFuncSize = 36;

// An unsigned LEB128 varint of at most 32 bits, as Go writes them; false past `end`.
bool read_varint(const uint8_t*& p, const uint8_t* end, uint32_t* value) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (p == end) return false;
    uint8_t byte = *p++;
    v |= uint32_t(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *value = v;
      return true;
    }
  }
  return false;
}

}  // namespace

GoPclntab::GoPclntab(Elf* elf) {
  if (elf == nullptr) return;
  Elf_Scn *own = nullptr, *relocated = nullptr;
  bool go = false;  // every Go program has a .go.buildinfo section, stripped or not
  for_each_section(elf, [&](Elf_Scn* scn, const GElf_Shdr& shdr, std::string_view name) {
    if (shdr.sh_type != SHT_PROGBITS) return true;
    if (name == ".gopclntab") own = scn;
    if (name == ".data.rel.ro") relocated = scn;
    if (name == ".go.buildinfo") go = true;
    return true;
  });
  auto data_of = [](Elf_Scn* scn) {
    Elf_Data* data = scn ? elf_getdata(scn, nullptr) : nullptr;
    return data != nullptr && data->d_buf != nullptr ? data : nullptr;
  };
  if (Elf_Data* data = data_of(own)) {
    read_header(static_cast<const uint8_t*>(data->d_buf), data->d_size);
  } else if (Elf_Data* inside = go ? data_of(relocated) : nullptr) {
    // A position-independent program keeps it among its relocated read-only data,
    // where only its header tells it apart: looked for in Go programs alone.
    const auto* bytes = static_cast<const uint8_t*>(inside->d_buf);
    for (uint64_t at = 0; at + kHeaderSize <= inside->d_size; at += 8) {
      if (read_header(bytes + at, inside->d_size - at)) return;
    }
  }
}

bool GoPclntab::read_header(const uint8_t* data, uint64_t size) {
  if (size < kHeaderSize) return false;
  data_ = data;
  size_ = size;
  uint32_t magic = u32(0);
  if ((magic != kMagic118 && magic != kMagic120) || data[4] != 0 || data[5] != 0 || data[6] != 1 || data[7] != 8) {
    return false;
  }
  auto word = [data](uint64_t offset) {
    uint64_t v;
    std::memcpy(&v, data + offset, sizeof v);
    return v;
  };
  const uint64_t nfunc = word(8);
  text_start_ = word(24);
  funcnames_ = word(32), cutab_ = word(40), filetab_ = word(48), pctab_ = word(56), functab_ = word(64);
  // The tables follow the header in this order, and the entry table with its end marker
  // fits; text_start 0 is a relocation's to fill.
  if (text_start_ == 0 || funcnames_ < kHeaderSize || cutab_ < funcnames_ || filetab_ < cutab_ ||
      pctab_ < filetab_ || functab_ < pctab_ || functab_ > size || nfunc == 0 || nfunc >= (size - functab_) / 8) {
    return false;
  }
  nfunc_ = nfunc;
  return true;
}

uint32_t GoPclntab::u32(uint64_t offset) const {
  uint32_t v = 0;
  if (offset <= size_ && size_ - offset >= sizeof v) std::memcpy(&v, data_ + offset, sizeof v);
  return v;
}

std::string_view GoPclntab::string_at(uint64_t offset) const {
  if (offset >= size_) return {};
  const char* s = reinterpret_cast<const char*>(data_ + offset);
  return {s, strnlen(s, size_ - offset)};
}

int32_t GoPclntab::pc_value(uint32_t offset, uint64_t entry, uint64_t pc) const {
  if (offset == 0 || pctab_ + offset >= size_) return -1;
  const uint8_t* p = data_ + pctab_ + offset;
  const uint8_t* end = data_ + size_;
  uint32_t value = UINT32_MAX;  // -1; unsigned, so that a table's garbage wraps as Go's int32 would
  for (uint64_t at = entry;;) {
    uint32_t value_delta, pc_delta;
    const bool first = at == entry;
    if (!read_varint(p, end, &value_delta) || (value_delta == 0 && !first)) return -1;
    if (!read_varint(p, end, &pc_delta)) return -1;
    value += -(value_delta & 1) ^ (value_delta >> 1);  // zig-zag
    at += pc_delta;  // the pc quantum is 1 on x86-64
    if (pc < at) return int32_t(value);
  }
}

GoLocation GoPclntab::find(uint64_t address) const {
  if (!valid() || address < text_start_) return {};
  const uint64_t target = address - text_start_;
  if (target >= u32(functab_ + 8 * nfunc_)) return {};  // past the last function's end
  // The last entry at or below the target.
  uint64_t lo = 0, hi = nfunc_;
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    (u32(functab_ + 8 * mid) <= target ? lo : hi) = mid;
  }
  const uint64_t entry = u32(functab_ + 8 * lo);
  if (target < entry) return {};
  const uint64_t func = functab_ + u32(functab_ + 8 * lo + 4);
  if (func > size_ || size_ - func < kFuncSize) return {};
  GoLocation location;
  location.function = string_at(funcnames_ + u32(func + kFuncName));
  int32_t file = pc_value(u32(func + kFuncPcFile), entry, target);
  if (file >= 0) {
    uint32_t file_offset = u32(cutab_ + 4 * (uint64_t{u32(func + kFuncCuOffset)} + uint32_t(file)));
    if (file_offset != UINT32_MAX) location.file = string_at(filetab_ + file_offset);
  }
  int32_t line = pc_value(u32(func + kFuncPcLine), entry, target);
  location.line = line > 0 ? line : 0;
  return location;
}

}  // namespace heapdrift::symbolizer
