#include "shim_snapshots.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "recording.h"
#include "snapshot_reader.h"

namespace shimtest {
namespace fs = std::filesystem;

ProgramOutput::ProgramOutput(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (!w.empty()) lines_.push_back(std::move(w));
  }
}

std::vector<std::vector<std::string>> ProgramOutput::all(const std::string& key) const {
  std::vector<std::vector<std::string>> out;
  for (const auto& l : lines_) {
    if (l[0] == key) out.emplace_back(l.begin() + 1, l.end());
  }
  return out;
}

std::string ProgramOutput::one(const std::string& key) const {
  auto lines = all(key);
  if (lines.size() != 1 || lines[0].empty()) {
    throw std::runtime_error("program output: expected one '" + key + " <value>' line, found " +
                             std::to_string(lines.size()));
  }
  return lines[0][0];
}

uint64_t ProgramOutput::number(const std::string& key) const { return parse_number(one(key)); }

uint64_t ProgramOutput::expect(const std::string& name) const {
  for (const auto& l : all("expect")) {
    if (l.size() == 2 && l[0] == name) return parse_number(l[1]);
  }
  throw std::runtime_error("program output: no 'expect " + name + " <value>' line");
}

uint64_t parse_number(const std::string& text) {
  size_t used = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) throw std::runtime_error("not a number: '" + text + "'");
  return v;
}

CodeRange site_range(const ProgramOutput& out, const std::string& name) {
  for (const auto& l : out.all("site")) {
    if (l.size() == 3 && l[0] == name) {
      CodeRange r{parse_number(l[1]), parse_number(l[2])};
      if (r.lo >= r.hi) throw std::runtime_error("site " + name + ": empty range");
      return r;
    }
  }
  throw std::runtime_error("program output: no 'site " + name + " <lo> <hi>' line");
}

std::vector<heapdrift::Sample> samples_at(const heapdrift::Snapshot& s, CodeRange range) {
  std::vector<heapdrift::Sample> out;
  for (const heapdrift::Sample& sample : s.samples) {
    auto it = s.stacks.find(sample.stack_id);
    if (it == s.stacks.end()) continue;
    for (uint64_t frame : it->second.frames) {
      if (range.contains(frame)) {
        out.push_back(sample);
        break;
      }
    }
  }
  return out;
}

uint64_t counter(const heapdrift::Snapshot& s, const std::string& key) {
  auto it = s.counters.find(key);
  if (it == s.counters.end()) throw std::runtime_error("snapshot has no counter '" + key + "'");
  return it->second;
}

std::vector<NumberedSnapshot> read_process_snapshots(const fs::path& process_dir) {
  std::vector<NumberedSnapshot> out;
  for (const heapdrift::SnapshotFile& f : heapdrift::list_snapshots(process_dir)) {
    out.push_back({f.number, heapdrift::read_snapshot(f.path)});
  }
  return out;
}

heapdrift::Snapshot read_numbered(const fs::path& process_dir, uint64_t number) {
  char name[64];
  std::snprintf(name, sizeof(name), "snap-%06llu.hds", static_cast<unsigned long long>(number));
  return heapdrift::read_snapshot(process_dir / name);
}

std::string shim_library() {
  const char* other = getenv("SHIMTEST_SHIM_PATH");  // to try the tests on a modified shim
  return other && *other ? other : HEAPDRIFT_SHIM_PATH;
}

EnvVars shim_env(const fs::path& out_dir, const EnvVars& extra) {
  EnvVars env = {{"LD_PRELOAD", shim_library()},
                 {"HEAPDRIFT_OUTPUT", out_dir.string()},
                 {"HEAPDRIFT_SAMPLE_RATE", "1"},
                 {"HEAPDRIFT_INTERVAL", "0"}};
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

}  // namespace shimtest
