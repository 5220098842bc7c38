#include "recording_info.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "snapshot_format.h"

namespace heapdrift {
namespace {

using nlohmann::json;

uint64_t get_uint(const json& j, const char* key, uint64_t max, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) throw std::invalid_argument(std::string("'") + key + "' is missing");
    return 0;
  }
  if (!it->is_number_unsigned() || it->get<uint64_t>() > max) {
    throw std::invalid_argument(std::string("'") + key + "' is not an unsigned integer up to " +
                                std::to_string(max));
  }
  return it->get<uint64_t>();
}

RecordingInfo from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("not a JSON object");
  RecordingInfo info;
  info.version = static_cast<uint32_t>(get_uint(j, "version", UINT32_MAX, true));
  if (info.version != 1) {
    throw std::invalid_argument("unsupported version " + std::to_string(info.version));
  }
  info.main_pid = static_cast<uint32_t>(get_uint(j, "main_pid", UINT32_MAX, true));
  if (auto it = j.find("command"); it != j.end()) {
    if (!it->is_array()) throw std::invalid_argument("'command' is not an array");
    for (const json& arg : *it) {
      if (!arg.is_string()) throw std::invalid_argument("'command' holds a non-string");
      info.command.push_back(arg.get<std::string>());
    }
  }
  info.start_wall_ns = get_uint(j, "start_wall_ns", UINT64_MAX, false);
  info.sample_rate = get_uint(j, "sample_rate", UINT64_MAX, false);
  info.interval_ms = get_uint(j, "interval_ms", UINT64_MAX, false);
  return info;
}

}  // namespace

RecordingInfo read_recording_info(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RecordingError(file.string() + ": cannot open: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw RecordingError(file.string() + ": not valid JSON");
  try {
    return from_json(j);
  } catch (const std::invalid_argument& e) {
    throw RecordingError(file.string() + ": " + e.what());
  }
}

void write_recording_info(const std::filesystem::path& dir, const RecordingInfo& info) {
  json j = {{"version", info.version},       {"main_pid", info.main_pid},
            {"command", info.command},       {"start_wall_ns", info.start_wall_ns},
            {"sample_rate", info.sample_rate}, {"interval_ms", info.interval_ms}};
  // dump() throws on invalid UTF-8; replace it so that any argv can be recorded.
  std::string text = j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";

  std::filesystem::path target = dir / format::kRecordingFile;
  std::filesystem::path tmp = dir / ("." + std::string(format::kRecordingFile) + "." +
                                     std::to_string(getpid()) + ".tmp");
  auto fail = [&](const char* what) {
    int e = errno;
    unlink(tmp.c_str());
    throw RecordingError(target.string() + ": " + what + ": " + std::strerror(e));
  };
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) throw RecordingError(tmp.string() + ": cannot create: " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { close(fd); fail("cannot write"); }
    off += static_cast<size_t>(n);
  }
  if (close(fd) != 0) fail("cannot write");
  if (rename(tmp.c_str(), target.c_str()) != 0) fail("cannot rename into place");
}

}  // namespace heapdrift
