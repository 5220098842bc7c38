#include "dump_text.h"

#include <algorithm>
#include <cinttypes>
#include <map>
#include <string>
#include <vector>

namespace heapdrift::cli {
namespace {

const char* trigger_name(format::Trigger t) {
  switch (t) {
    case format::Trigger::kPeriodic: return "periodic";
    case format::Trigger::kOnDemand: return "on-demand";
    case format::Trigger::kExit: return "exit";
  }
  return "?";
}

// Arguments joined by spaces, quoted when they would not read back as one word.
std::string shell_words(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    if (!a.empty() && a.find_first_of(" \t\n'\"\\$`") == std::string::npos) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out.empty() ? "-" : out;
}

std::string prot_string(uint32_t prot) {
  std::string s;
  s += prot & format::kProtRead ? 'r' : '-';
  s += prot & format::kProtWrite ? 'w' : '-';
  s += prot & format::kProtExec ? 'x' : '-';
  s += prot & format::kProtShared ? 's' : 'p';
  return s;
}

std::string segment_flags(uint32_t flags) {  // ELF PF_R = 4, PF_W = 2, PF_X = 1
  std::string s;
  s += flags & 4 ? 'r' : '-';
  s += flags & 2 ? 'w' : '-';
  s += flags & 1 ? 'x' : '-';
  return s;
}

std::string stack_flags(uint16_t flags) {
  std::string s;
  if (flags & format::kStackTruncated) s += "truncated";
  if (flags & format::kStackFramePointer) s += s.empty() ? "frame-pointer" : ",frame-pointer";
  if (flags & format::kStackInterpreterMethods) s += s.empty() ? "interpreter-methods" : ",interpreter-methods";
  return s.empty() ? "-" : s;
}

void print_kv(std::FILE* out, const KeyValues& kv) {
  for (const auto& [k, v] : kv) std::fprintf(out, "  %-24s %" PRIu64 "\n", k.c_str(), v);
}

// The age in ms; signed, because nothing forces a corrupt clock to be monotonic.
double age_ms(const Snapshot& s, const Sample& sample) {
  return static_cast<double>(static_cast<int64_t>(s.process.mono_ns - sample.alloc_mono_ns)) / 1e6;
}

}  // namespace

void print_snapshot(std::FILE* out, const Snapshot& s) {
  const ProcessInfo& p = s.process;
  std::fprintf(out, "process\n");
  std::fprintf(out, "  pid %" PRIu32 "  ppid %" PRIu32 "  sequence %" PRIu32 "  trigger %s\n", p.pid,
               p.ppid, p.sequence, trigger_name(p.trigger));
  std::fprintf(out, "  wall_ns %" PRIu64 "  mono_ns %" PRIu64 "\n", p.wall_ns, p.mono_ns);
  std::fprintf(out, "  start_wall_ns %" PRIu64 "  start_mono_ns %" PRIu64 "\n", p.start_wall_ns,
               p.start_mono_ns);
  std::fprintf(out, "  sample_rate %" PRIu64 "  max_depth %" PRIu32 "\n", p.sample_rate, p.max_depth);
  std::fprintf(out, "  exe %s\n  cmdline %s\n", p.exe.c_str(), shell_words(p.arguments()).c_str());

  std::fprintf(out, "counters\n");
  print_kv(out, s.counters);

  if (s.memory) {
    std::fprintf(out, "memory (allocator %s)\n", s.memory->allocator.c_str());
    print_kv(out, s.memory->values);
    const std::string& text = s.memory->smaps_rollup;  // only in older snapshots
    if (!text.empty()) std::fprintf(out, "smaps_rollup\n");
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = std::min(text.find('\n', start), text.size());
      std::fprintf(out, "  %.*s\n", static_cast<int>(nl - start), text.data() + start);
      start = nl + 1;
    }
  } else {
    std::fprintf(out, "memory (absent)\n");
  }

  auto print_module = [out](const Module& m, const char* note) {
    std::fprintf(out, "  %s  bias 0x%" PRIx64 "  build-id %s%s\n", m.path.c_str(), m.load_bias,
                 hex_bytes(m.build_id).c_str(), note);
    for (const Segment& g : m.segments) {
      std::fprintf(out, "    segment vaddr 0x%" PRIx64 "  memsz 0x%" PRIx64 "  offset 0x%" PRIx64 "  %s\n",
                   g.vaddr, g.memsz, g.offset, segment_flags(g.flags).c_str());
    }
  };
  std::fprintf(out, "modules (%zu)\n", s.modules.size());
  for (const Module& m : s.modules) print_module(m, "");
  if (!s.unloaded_modules.empty()) {
    std::fprintf(out, "unloaded modules (%zu)\n", s.unloaded_modules.size());
    for (const UnloadedModule& u : s.unloaded_modules) {
      print_module(u.module, ("  unloaded at mono " + std::to_string(u.unloaded_mono_ns)).c_str());
    }
  }

  std::fprintf(out, "maps (%zu)\n", s.maps.size());
  for (const Mapping& m : s.maps) {
    std::fprintf(out, "  %016" PRIx64 "-%016" PRIx64 " %s %08" PRIx64 " %s\n", m.start, m.end,
                 prot_string(m.prot).c_str(), m.offset, m.path.c_str());
  }

  std::fprintf(out, "stacks (%zu)\n", s.stacks.size());
  for (const auto& [id, st] : s.stacks) {
    std::fprintf(out, "  stack %" PRIu32 "  flags %s  depth %zu\n", id, stack_flags(st.flags).c_str(),
                 st.frames.size());
    for (size_t i = 0; i < st.frames.size(); ++i) {
      // An interpreted frame's Method* slot (frame_methods), when the shim kept one.
      uint64_t method = i < st.methods.size() ? st.methods[i] : 0;
      if (method) std::fprintf(out, "    0x%016" PRIx64 "  method 0x%016" PRIx64 "\n", st.frames[i], method);
      else std::fprintf(out, "    0x%016" PRIx64 "\n", st.frames[i]);
    }
  }

  std::fprintf(out, "samples (%zu)\n", s.samples.size());
  std::fprintf(out, "  %-18s %12s %14s %14s %10s %8s\n", "address", "size", "weight", "age_ms", "stack",
               "tid");
  for (const Sample& x : s.samples) {
    std::fprintf(out, "  0x%016" PRIx64 " %12" PRIu64 " %14.3f %14.3f %10" PRIu32 " %8" PRIu32 "\n",
                 x.address, x.size, x.weight, age_ms(s, x), x.stack_id, x.tid);
  }
}

void print_summary(std::FILE* out, const Snapshot& s) {
  struct Site {
    uint32_t stack_id;
    uint64_t samples = 0;
    double bytes = 0;
  };
  std::map<uint32_t, Site> by_stack;
  double total = 0;
  for (const Sample& x : s.samples) {
    Site& site = by_stack.try_emplace(x.stack_id, Site{x.stack_id}).first->second;
    site.samples++;
    site.bytes += static_cast<double>(x.size) * x.weight;
    total += static_cast<double>(x.size) * x.weight;
  }
  std::vector<Site> sites;
  for (const auto& [id, site] : by_stack) sites.push_back(site);
  std::stable_sort(sites.begin(), sites.end(), [](const Site& a, const Site& b) { return a.bytes > b.bytes; });

  std::fprintf(out, "pid %" PRIu32 "  sequence %" PRIu32 "  samples %zu  estimated live bytes %.0f\n",
               s.process.pid, s.process.sequence, s.samples.size(), total);
  std::fprintf(out, "%10s %10s %16s  %s\n", "stack", "samples", "live_bytes", "innermost frame");
  for (const Site& site : sites) {
    auto it = s.stacks.find(site.stack_id);
    char frame[32] = "(no stack)";
    if (it != s.stacks.end() && !it->second.frames.empty()) {
      std::snprintf(frame, sizeof(frame), "0x%" PRIx64, it->second.frames[0]);
    } else if (it != s.stacks.end()) {
      std::snprintf(frame, sizeof(frame), "(empty)");
    }
    std::fprintf(out, "%10" PRIu32 " %10" PRIu64 " %16.0f  %s\n", site.stack_id, site.samples, site.bytes,
                 frame);
  }
}

}  // namespace heapdrift::cli
