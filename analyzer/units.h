// Numbers for people: bytes in binary units, durations, rates.
#ifndef HEAPDRIFT_ANALYZER_UNITS_H
#define HEAPDRIFT_ANALYZER_UNITS_H

#include <string>

namespace heapdrift {

std::string format_bytes(double bytes);       // "512 B", "3.2 KiB", "-1.50 MiB"
std::string format_rate(double bytes_per_s);  // "2.9 MiB/s"
std::string format_seconds(double seconds);   // "850 ms", "12.0 s", "3.5 min", "2.1 h"

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_UNITS_H
