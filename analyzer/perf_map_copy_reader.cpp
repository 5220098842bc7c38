#include "perf_map_copy_reader.h"

#include <cinttypes>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

#include "snapshot_format.h"

namespace heapdrift {

std::vector<PerfMapBatch> read_perf_map_copy(const std::filesystem::path& path, uint64_t start_mono_ns) {
  std::string text = perfmap::read_perf_map_text(path);
  // The shim appends whole lines; a file that does not end with one is being written
  // (a recording analysed while it runs): its last line is not complete yet.
  text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  const std::string_view header = format::kPerfMapCopyHeader;

  std::vector<PerfMapBatch> batches;
  size_t pos = 0;
  uint32_t line = 1;
  auto fail = [](const std::string& what) {
    throw std::runtime_error(what + " (remove the file to analyse the recording without the JIT's names)");
  };
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view head(text.data() + pos, (eol == std::string::npos ? text.size() : eol) - pos);
    uint64_t program = 0, copied = 0;
    int used = 0;
    if (!head.starts_with(header) ||
        std::sscanf(std::string(head.substr(header.size())).c_str(), " program %" SCNu64 " copied %" SCNu64 "%n",
                    &program, &copied, &used) != 2 ||
        static_cast<size_t>(used) != head.size() - header.size()) {
      fail(path.string() + ":" + std::to_string(line) + ": not a batch header of heapdrift's perf map copy: '" +
           std::string(head.substr(0, 80)) + "'");
    }
    // The batch runs to the next header (or the end).
    size_t body = eol == std::string::npos ? text.size() : eol + 1;
    size_t next = body;
    while (next < text.size() && text.compare(next, header.size(), header) != 0) {
      size_t e = text.find('\n', next);
      next = e == std::string::npos ? text.size() : e + 1;
    }
    std::string_view lines(text.data() + body, next - body);
    if (program == start_mono_ns) {
      PerfMapBatch batch{copied, perfmap::parse_perf_map(lines, path.string(), line + 1)};
      if (!batch.map.warnings.empty()) fail(batch.map.warnings.front());
      batches.push_back(std::move(batch));
    }
    for (char c : lines) line += c == '\n';
    ++line;
    pos = next;
  }
  return batches;
}

}  // namespace heapdrift
