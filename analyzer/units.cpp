#include "units.h"

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

}  // namespace heapdrift
