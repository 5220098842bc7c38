#include "perf_map_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace heapdrift::perfmap {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A hex number with an optional 0x prefix, at most 16 digits; advances `s` past it.
std::optional<uint64_t> take_hex(std::string_view& s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  uint64_t v = 0;
  size_t digits = 0;
  while (digits < s.size()) {
    char c = s[digits];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) break;
    if (digits == 16) return std::nullopt;  // more than 64 bits
    v = v << 4 | static_cast<uint64_t>(d);
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  s.remove_prefix(digits);
  return v;
}

size_t skip_blanks(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && is_blank(s[n])) ++n;
  s.remove_prefix(n);
  return n;
}

// Printable excerpt of a bad line for a warning.
std::string excerpt(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, 60)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (line.size() > 60) out += "...";
  return out;
}

// Parses one line; returns the problem, or "" with `entry` filled (size 0 = skip).
std::string parse_line(std::string_view line, PerfMapEntry& entry) {
  std::string_view s = line;
  skip_blanks(s);
  std::optional<uint64_t> start = take_hex(s);
  if (!start) return "no start address";
  if (skip_blanks(s) == 0) return "no blank after the start address";
  std::optional<uint64_t> size = take_hex(s);
  if (!size) return "no size";
  if (skip_blanks(s) == 0) return "no blank after the size";
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  if (s.empty()) return "no name";
  if (s.find('\0') != std::string_view::npos) return "a NUL byte in the name";
  if (*size != 0 && *start + *size < *start) return "the range runs past the end of the address space";
  entry.start = *start;
  entry.size = *size;
  entry.name = std::string(s);
  return "";
}

}  // namespace

PerfMap parse_perf_map(std::string_view text, std::string_view name, uint32_t first_line) {
  PerfMap map;
  uint32_t number = first_line - 1;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    PerfMapEntry entry;
    std::string problem = parse_line(line, entry);
    if (!problem.empty()) {
      if (++map.malformed_lines <= PerfMap::kMaxLineWarnings) {
        map.warnings.push_back(std::string(name) + ":" + std::to_string(number) + ": malformed perf-map line (" +
                               problem + "): '" + excerpt(line) + "'");
      }
      continue;
    }
    if (entry.size == 0) continue;
    entry.line = number;
    map.entries.push_back(std::move(entry));
  }
  if (map.malformed_lines > PerfMap::kMaxLineWarnings) {
    map.warnings.push_back(std::string(name) + ": " + std::to_string(map.malformed_lines - PerfMap::kMaxLineWarnings) +
                           " more malformed lines skipped (" + std::to_string(map.malformed_lines) + " in all)");
  }
  return map;
}

std::string read_perf_map_text(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ReadError(path.string() + ": is a directory, not a perf map");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(path.string() + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ReadError(path.string() + ": read error");
  return text.str();
}

PerfMap read_perf_map(const std::filesystem::path& path) {
  return parse_perf_map(read_perf_map_text(path), path.string());
}

}  // namespace heapdrift::perfmap
