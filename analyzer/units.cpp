#include "units.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace heapdrift {

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = std::fabs(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  const char* sign = bytes < 0 ? "-" : "";
  if (u == 0) std::snprintf(buf, sizeof(buf), "%s%.0f %s", sign, v, units[u]);
  else std::snprintf(buf, sizeof(buf), v < 10 ? "%s%.2f %s" : v < 100 ? "%s%.1f %s" : "%s%.0f %s", sign, v, units[u]);
  return buf;
}

std::string format_rate(double bytes_per_s) { return format_bytes(bytes_per_s) + "/s"; }

std::string format_seconds(double s) {
  char buf[32];
  if (s < 1) std::snprintf(buf, sizeof(buf), "%.0f ms", s * 1000);
  else if (s < 120) std::snprintf(buf, sizeof(buf), "%.1f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof(buf), "%.1f min", s / 60);
  else std::snprintf(buf, sizeof(buf), "%.1f h", s / 3600);
  return buf;
}

std::string format_command(const std::string& command, size_t max) {
  std::string out;
  for (char c : command) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += '?';
    else out += c;
  }
  if (out.size() <= max) return out;
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 character
  return out.substr(0, cut) + "\u2026";
}

std::string fold_text(const std::string& text, const std::string& first, const std::string& next, size_t width) {
  std::string out, line = first;
  bool empty = true;  // nothing but the prefix on `line` yet
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = std::min(text.find(' ', pos), text.size());
    std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (!empty && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = next, empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  return out + line + "\n";
}

}  // namespace heapdrift
