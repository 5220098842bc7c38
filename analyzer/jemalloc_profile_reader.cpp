#include "jemalloc_profile_reader.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <regex>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "modules_from_maps.h"
#include "snapshot_reader.h"

namespace heapdrift {
namespace {

constexpr std::string_view kMagic = "heap_v2/";
constexpr uint64_t kMaxObjects = 50'000'000;

struct ParseError {
  size_t line;  // 1-based; 0: the file as a whole
  std::string what;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool parse_uint(std::string_view s, uint64_t& out, int base = 10) {
  if (base == 16 && (s.starts_with("0x") || s.starts_with("0X"))) s.remove_prefix(2);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

// "t*: 990: 4531679 [0: 0]" or "t3: …": the thread ("*" or a number), live objects
// and bytes (the bracketed cumulative pair is ignored: heapdrift is about live memory).
bool parse_counts(std::string_view s, std::string_view& thread, uint64_t& objects, uint64_t& bytes) {
  static const std::regex re(R"(t(\*|\d+):\s+(\d+):\s+(\d+)\s+\[\s*(\d+):\s+(\d+)\])");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(s.begin(), s.end(), m, re)) return false;
  thread = std::string_view(&*m[1].first, size_t(m[1].length()));
  return parse_uint(std::string_view(&*m[2].first, size_t(m[2].length())), objects) &&
         parse_uint(std::string_view(&*m[3].first, size_t(m[3].length())), bytes);
}

uint32_t parse_prot(std::string_view perms) {
  uint32_t prot = 0;
  if (perms.size() >= 1 && perms[0] == 'r') prot |= format::kProtRead;
  if (perms.size() >= 2 && perms[1] == 'w') prot |= format::kProtWrite;
  if (perms.size() >= 3 && perms[2] == 'x') prot |= format::kProtExec;
  if (perms.size() >= 4 && perms[3] == 's') prot |= format::kProtShared;
  return prot;
}

// One /proc/self/maps line: "start-end perms offset dev inode [path]".
bool parse_mapping(std::string_view line, Mapping& m) {
  static const std::regex re(R"(([0-9a-fA-F]+)-([0-9a-fA-F]+)\s+([-rwxsp]{4})\s+([0-9a-fA-F]+)\s+\S+\s+\d+\s*(.*))");
  std::match_results<std::string_view::const_iterator> r;
  if (!std::regex_match(line.begin(), line.end(), r, re)) return false;
  auto part = [&](int i) { return std::string_view(&*r[i].first, size_t(r[i].length())); };
  if (!parse_uint(part(1), m.start, 16) || !parse_uint(part(2), m.end, 16) || !parse_uint(part(4), m.offset, 16) ||
      m.end < m.start) {
    return false;
  }
  m.prot = parse_prot(part(3));
  m.path = r[5].length() ? std::string(part(5)) : std::string();
  return true;
}

uint32_t pid_from_name(std::string_view name) {
  // jemalloc names its dumps <prefix>.<pid>.<seq>.<kind>.heap; prof_prefix defaults to "jeprof".
  std::string file = std::filesystem::path(std::string(name)).filename().string();
  static const std::regex re(R"(.*\.(\d+)\.\d+\.[a-z]\d*\.heap)");
  std::smatch m;
  uint64_t pid = 0;
  if (std::regex_match(file, m, re) && parse_uint(m[1].str(), pid) && pid <= UINT32_MAX) return uint32_t(pid);
  return 0;
}

// jemalloc's stacks start inside jemalloc (its profiler's backtrace, then malloc):
// frames of the mapped libjemalloc are not the program's and are dropped.
bool in_jemalloc(uint64_t address, const std::vector<Mapping>& maps) {
  for (const Mapping& m : maps) {
    if (address >= m.start && address < m.end) {
      return std::filesystem::path(m.path).filename().string().starts_with("libjemalloc");
    }
  }
  return false;
}

struct Record {
  size_t line;
  std::vector<uint64_t> frames;
  bool has_total = false;
  uint64_t objects = 0, bytes = 0;
};

Snapshot parse(std::string_view text, std::string_view name) {
  if (!text.ends_with('\n')) throw ParseError{0, "truncated: the last line is incomplete"};
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  uint64_t period = 0;
  if (!lines[0].starts_with(kMagic) || !parse_uint(trim(lines[0].substr(kMagic.size())), period)) {
    throw ParseError{1, "not a heap_v2/<sample period> header"};
  }
  Snapshot s;
  std::vector<Record> records;
  size_t i = 1;
  bool mapped_libraries = false;
  for (; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.empty()) continue;
    if (line == "MAPPED_LIBRARIES:") {
      mapped_libraries = true;
      ++i;
      break;
    }
    if (line.starts_with("@")) {
      Record r{i + 1, {}};
      std::string_view rest = line.substr(1);
      while (!(rest = trim(rest)).empty()) {
        size_t end = rest.find_first_of(" \t");
        uint64_t address = 0;
        if (!parse_uint(rest.substr(0, end), address, 16)) throw ParseError{i + 1, "bad address in a stack"};
        r.frames.push_back(address);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      }
      if (r.frames.empty()) throw ParseError{i + 1, "a stack without addresses"};
      records.push_back(std::move(r));
      continue;
    }
    std::string_view thread;
    uint64_t objects = 0, bytes = 0;
    if (!parse_counts(line, thread, objects, bytes)) throw ParseError{i + 1, "neither a stack nor a count line"};
    if (objects == 0 && bytes != 0) throw ParseError{i + 1, "bytes without objects"};
    if (records.empty() || thread != "*") continue;  // header totals, per-thread counts
    if (records.back().has_total) throw ParseError{i + 1, "a second t* line for one stack"};
    records.back().has_total = true;
    records.back().objects = objects;
    records.back().bytes = bytes;
  }
  if (!mapped_libraries) throw ParseError{0, "truncated: no MAPPED_LIBRARIES section"};
  for (const Record& r : records) {
    if (!r.has_total) throw ParseError{r.line, "a stack without its t* line"};
  }
  for (; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.empty()) continue;
    Mapping m;
    if (!parse_mapping(line, m)) throw ParseError{i + 1, "not a /proc/self/maps line"};
    s.maps.push_back(std::move(m));
  }

  s.process.pid = pid_from_name(name);
  // A profile has no clock, and numbers its stacks by their place in it: in another
  // profile of the process the same number is another stack, and the maps may have
  // grown. The analyzer knows a process image by pid and start time (an exec starts
  // anew), so each profile starts at a time of its own, a hash of its text, and is
  // taken at that time ("0 s after start").
  s.process.start_mono_ns = s.process.mono_ns = XXH3_64bits(text.data(), text.size());
  s.process.sample_rate = period == 0 ? 1 : period;
  for (const Mapping& m : s.maps) {
    if (!m.path.empty() && m.path[0] == '/') {  // the executable is mapped first
      s.process.exe = m.path;
      s.process.cmdline = m.path;
      break;
    }
  }
  s.modules = modules_from_maps(s.maps);

  uint64_t total_objects = 0;
  for (const Record& r : records) total_objects += r.objects;
  // Each object becomes a Sample: a count beyond any real profile is damage.
  if (total_objects > kMaxObjects) throw ParseError{0, "implausibly many objects (" + std::to_string(total_objects) + ")"};

  uint64_t next_address = 0x1000;  // made-up, distinct sample addresses
  uint64_t live_samples = 0;
  for (const Record& r : records) {
    Stack stack;
    stack.id = uint32_t(s.stacks.size() + 1);
    size_t cut = 0;
    while (cut + 1 < r.frames.size() && in_jemalloc(r.frames[cut], s.maps)) ++cut;
    stack.frames.assign(r.frames.begin() + long(cut), r.frames.end());
    if (r.objects == 0) {
      s.stacks.emplace(stack.id, std::move(stack));
      continue;
    }
    // jeprof's unsampling of heap_v2 (AdjustSamples): one factor from the mean size.
    double mean = double(r.bytes) / double(r.objects);
    double weight = period == 0 ? 1.0 : 1.0 / -std::expm1(-mean / double(period));
    if (!std::isfinite(weight)) weight = 1.0;  // a zero-byte record: no bytes to scale
    for (uint64_t k = 0; k < r.objects; ++k) {
      Sample sample;
      sample.address = next_address;
      next_address += 16;
      // The record's bytes, spread as evenly as integers allow.
      sample.size = r.bytes / r.objects + (k < r.bytes % r.objects ? 1 : 0);
      sample.weight = weight;
      sample.stack_id = stack.id;
      s.samples.push_back(sample);
    }
    live_samples += r.objects;
    s.stacks.emplace(stack.id, std::move(stack));
  }
  s.counters["live_samples"] = live_samples;
  return s;
}

}  // namespace

bool is_jemalloc_profile(std::span<const uint8_t> bytes) {
  return bytes.size() >= kMagic.size() && std::equal(kMagic.begin(), kMagic.end(), bytes.begin());
}

Snapshot parse_jemalloc_profile(std::span<const uint8_t> bytes, std::string_view name) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  try {
    return parse(text, name);
  } catch (const ParseError& e) {
    std::string where = e.line ? ": line " + std::to_string(e.line) : std::string();
    throw SnapshotError(std::string(name) + ": jemalloc heap profile" + where + ": " + e.what);
  } catch (const std::bad_alloc&) {
    throw SnapshotError(std::string(name) + ": out of memory while reading");
  }
}

}  // namespace heapdrift
