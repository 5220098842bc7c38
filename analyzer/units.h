// Numbers and text for people: bytes in binary units, durations, rates, commands.
#ifndef HEAPDRIFT_ANALYZER_UNITS_H
#define HEAPDRIFT_ANALYZER_UNITS_H

#include <string>

namespace heapdrift {

std::string format_bytes(double bytes);       // "512 B", "3.2 KiB", "-1.50 MiB"
std::string format_rate(double bytes_per_s);  // "2.9 MiB/s"
std::string format_seconds(double seconds);   // "850 ms", "12.0 s", "3.5 min", "2.1 h"
// A command line on one line of text: control characters escaped ("\n"), and cut to
// `max` characters with "…" (a javac of 400 files, a script given with -c).
std::string format_command(const std::string& command, size_t max = 160);
// `text` folded at spaces into lines of at most `width` columns where words allow, the
// first line starting with `first`, the others with `next`; each line ends with '\n'.
std::string fold_text(const std::string& text, const std::string& first, const std::string& next, size_t width = 88);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_UNITS_H
