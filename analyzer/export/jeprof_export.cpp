#include "jeprof_export.h"

#include <cinttypes>
#include <cstdio>

namespace heapdrift {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
  return buf;
}

std::string maps_line(const Mapping& m) {
  char perms[5] = {(m.prot & format::kProtRead) ? 'r' : '-', (m.prot & format::kProtWrite) ? 'w' : '-',
                   (m.prot & format::kProtExec) ? 'x' : '-', (m.prot & format::kProtShared) ? 's' : 'p', 0};
  char buf[128];
  // dev and inode are not recorded: "00:00 0", which jeprof's patterns accept.
  int n = std::snprintf(buf, sizeof(buf), "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " 00:00 0", m.start, m.end,
                        perms, m.offset);
  std::string line(buf, size_t(n));
  if (!m.path.empty()) line += std::string(line.size() < 73 ? 73 - line.size() : 1, ' ') + m.path;
  return line + '\n';
}

// jeprof names an address by the mapping that holds it: the segments of the unloaded
// modules nothing replaced are added, so that their blocks are named by their code.
std::vector<Mapping> maps_of(const ExportProfile& p) {
  std::vector<Mapping> out = mapped_now(p);
  for (const UnloadedModule& u : unreplaced_modules(p)) add_segment_mappings(u.module, &out);
  return out;
}

}  // namespace

std::string jeprof_heap_profile(const ExportProfile& p) {
  const uint64_t period = p.process.sample_rate <= 1 ? 0 : p.process.sample_rate;
  std::string body;
  uint64_t total_objects = 0, total_bytes = 0;
  for (const ExportStack& s : p.stacks) {
    std::string addresses;
    for (const ExportLocation& l : s.locations) {
      if (l.address) addresses += ' ' + hex(l.address);
    }
    if (addresses.empty()) addresses = " 0x0";  // no stack: still counted in the totals
    for (const auto& [size, count] : s.sampled_sizes) {
      if (size == 0) continue;
      body += "@" + addresses + "\n  t*: " + std::to_string(count) + ": " + std::to_string(count * size) + " [0: 0]\n";
      total_objects += count;
      total_bytes += count * size;
    }
  }
  std::string out = "heap_v2/" + std::to_string(period) + "\n";
  out += "  t*: " + std::to_string(total_objects) + ": " + std::to_string(total_bytes) + " [0: 0]\n";
  out += body;
  out += "\nMAPPED_LIBRARIES:\n";
  for (const Mapping& m : maps_of(p)) out += maps_line(m);
  return out;
}

}  // namespace heapdrift
