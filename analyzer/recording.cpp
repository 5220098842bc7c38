#include "recording.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>

#include "snapshot_format.h"
#include "snapshot_reader.h"

namespace heapdrift {
namespace fs = std::filesystem;
namespace {

template <typename T>
std::optional<T> parse_digits(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The process section of the first readable snapshot in [first, last); nothing when
// none is readable. Stacks are left undecoded. (Iterators, not a range view: clang 14,
// which scripts/fuzz builds with, cannot compile libstdc++ 12's views.)
template <class It>
std::optional<ProcessInfo> first_readable(It first, It last) {
  for (; first != last; ++first) {
    try {
      return read_process(first->path);
    } catch (const SnapshotError&) {
      continue;  // try the next
    }
  }
  return std::nullopt;
}

// Without recording.json, the main process is the one whose shim started first: its
// first snapshot may well be later than a short-lived child's exit snapshot, but its
// start time cannot be. Processes with no readable snapshot cannot be placed.
std::optional<uint32_t> oldest_process(const std::vector<ProcessRecording>& processes) {
  std::optional<std::tuple<uint64_t, uint64_t, uint32_t>> best;  // start, first wall, pid
  for (const ProcessRecording& p : processes) {
    if (std::optional<ProcessInfo> info = first_readable(p.snapshots.begin(), p.snapshots.end())) {
      auto key = std::make_tuple(info->start_wall_ns, info->wall_ns, p.pid);
      if (!best || key < *best) best = key;
    }
  }
  if (!best) return std::nullopt;
  return std::get<2>(*best);
}

// A process whose program (the last in its directory: a pid's directory is reused
// by an exec, and by a later process with the same pid) started before `start_wall_ns`.
bool started_before(const ProcessRecording& p, uint64_t start_wall_ns) {
  std::optional<ProcessInfo> info = first_readable(p.snapshots.rbegin(), p.snapshots.rend());
  return info && info->start_wall_ns < start_wall_ns;
}

}  // namespace

std::optional<uint64_t> snapshot_number(std::string_view name) {
  std::string_view prefix = format::kSnapshotPrefix, suffix = format::kSnapshotSuffix;
  if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(suffix)) {
    return std::nullopt;
  }
  return parse_digits<uint64_t>(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()));
}

std::vector<SnapshotFile> list_snapshots(const fs::path& process_dir) {
  std::vector<SnapshotFile> out;
  std::error_code ec;
  for (fs::directory_iterator it(process_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& e = *it;
    auto n = snapshot_number(e.path().filename().string());
    std::error_code type_ec;
    if (n && e.is_regular_file(type_ec)) out.push_back({*n, e.path()});
  }
  if (ec) throw RecordingError(process_dir.string() + ": cannot list: " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const SnapshotFile& a, const SnapshotFile& b) { return a.number < b.number; });
  return out;
}

Recording read_recording(const fs::path& dir) {
  Recording rec;
  rec.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw RecordingError(dir.string() + ": " + (ec ? ec.message() : "not a directory"));
  }
  if (fs::path info = dir / format::kRecordingFile; fs::exists(info, ec)) {
    rec.info = read_recording_info(info);
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& e = *it;
    auto pid = parse_digits<uint32_t>(e.path().filename().string());
    std::error_code type_ec;
    if (!pid || !e.is_directory(type_ec)) continue;
    rec.processes.push_back({*pid, e.path(), list_snapshots(e.path())});
  }
  if (ec) throw RecordingError(dir.string() + ": cannot list: " + ec.message());
  std::sort(rec.processes.begin(), rec.processes.end(),
            [](const ProcessRecording& a, const ProcessRecording& b) { return a.pid < b.pid; });
  rec.main_pid = rec.info ? std::optional<uint32_t>(rec.info->main_pid) : oldest_process(rec.processes);
  // `record` given a directory that an earlier run wrote into too: that run's
  // processes are none of this one's.
  if (rec.info) {
    std::erase_if(rec.processes, [&](const ProcessRecording& p) {
      return p.pid != rec.info->main_pid && started_before(p, rec.info->start_wall_ns);
    });
  }
  return rec;
}

const ProcessRecording* Recording::find(uint32_t pid) const {
  for (const ProcessRecording& p : processes) {
    if (p.pid == pid) return &p;
  }
  return nullptr;
}

const ProcessRecording* Recording::main_process() const {
  return main_pid ? find(*main_pid) : nullptr;
}

}  // namespace heapdrift
