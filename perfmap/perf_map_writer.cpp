#include "perf_map_writer.h"

namespace heapdrift::perfmap {

void PerfMapWriter::entry(uint64_t start, uint64_t size,
                          std::initializer_list<std::string_view> name_parts) {
  if (!out_.usable()) return;
  put_hex(start);
  out_.put(" ", 1);
  put_hex(size);
  out_.put(" ", 1);
  for (std::string_view part : name_parts) {
    size_t begin = 0;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '\n' || part[i] == '\r') {
        out_.put(part.data() + begin, i - begin);
        out_.put(" ", 1);
        begin = i + 1;
      }
    }
    out_.put(part.data() + begin, part.size() - begin);
  }
  out_.put("\n", 1);
}

void PerfMapWriter::put_hex(uint64_t v) {
  char out[16];
  size_t n = 16;
  do {
    out[--n] = "0123456789abcdef"[v & 0xf];
    v >>= 4;
  } while (v != 0);
  out_.put(out + n, 16 - n);
}

}  // namespace heapdrift::perfmap
