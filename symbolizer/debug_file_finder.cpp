#include "debug_file_finder.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <sys/stat.h>

#include "elf_file.h"

namespace heapdrift::symbolizer {
namespace {

namespace fs = std::filesystem;

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

std::string dirname_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& rest) {
  if (dir.empty()) return rest;
  if (rest.empty()) return dir;
  if (dir.back() == '/') return dir + (rest.front() == '/' ? rest.substr(1) : rest);
  return dir + (rest.front() == '/' ? "" : "/") + rest;
}

void add_unique(std::vector<std::string>* list, std::string path) {
  if (std::find(list->begin(), list->end(), path) == list->end()) list->push_back(std::move(path));
}

}  // namespace

bool verify_file(const std::string& path, std::span<const uint8_t> build_id,
                 std::optional<uint32_t> crc, std::string* why) {
  std::string error;
  auto file = ElfFile::open(path, &error);
  if (!file) {
    *why = error;
    return false;
  }
  if (!build_id.empty()) {
    std::vector<uint8_t> actual = file->build_id();
    if (std::equal(actual.begin(), actual.end(), build_id.begin(), build_id.end())) return true;
    *why = path + ": build-id " + (actual.empty() ? "missing" : build_id_hex(actual)) +
           ", expected " + build_id_hex(build_id);
    return false;
  }
  if (crc && *crc != 0) {
    uint32_t actual = 0;
    if (file_crc32(path, &actual) && actual == *crc) return true;
    *why = path + ": CRC does not match the .gnu_debuglink";
    return false;
  }
  return true;
}

DebugFileFinder::DebugFileFinder(std::string sysroot, std::vector<std::string> debug_roots)
    : sysroot_(std::move(sysroot)), debug_roots_(std::move(debug_roots)) {
  while (sysroot_.size() > 1 && sysroot_.back() == '/') sysroot_.pop_back();
  if (sysroot_ == "/") sysroot_.clear();
}

// The path under the sysroot, its symlinks followed as inside it: an absolute target is
// taken from the sysroot too (container images link /lib64/ld-linux-x86-64.so.2 to
// /lib/x86_64-linux-gnu/..., say), where the kernel would take it from this machine's root.
std::string DebugFileFinder::on_disk(const std::string& module_path) const {
  if (sysroot_.empty()) return module_path;
  std::vector<std::string> done;
  std::deque<std::string> todo;
  auto push_front = [&todo](const fs::path& path) {
    std::vector<std::string> parts;
    for (const fs::path& part : path.relative_path()) parts.push_back(part.string());
    todo.insert(todo.begin(), parts.begin(), parts.end());
  };
  push_front(module_path);
  auto here = [&] {
    std::string path = sysroot_;
    for (const std::string& part : done) path += "/" + part;
    return path;
  };
  int links = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(part);
    std::error_code ec;
    fs::path target = fs::read_symlink(here(), ec);
    if (ec || ++links > 40) continue;  // not a link (or a loop): the path as it stands
    done.pop_back();
    if (target.is_absolute()) done.clear();
    push_front(target);
  }
  return here();
}

std::vector<std::string> DebugFileFinder::build_id_candidates(std::span<const uint8_t> build_id,
                                                              bool debug) const {
  std::vector<std::string> out;
  if (build_id.size() < 2) return out;
  std::string hex = build_id_hex(build_id);
  std::string rel = ".build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) + (debug ? ".debug" : "");
  for (const std::string& root : debug_roots_) add_unique(&out, join(root, rel));
  return out;
}

std::vector<std::string> DebugFileFinder::debuglink_candidates(const std::string& module_path,
                                                               const std::string& file_on_disk,
                                                               const std::string& link_name) const {
  std::vector<std::string> out;
  if (link_name.empty() || link_name.find('/') != std::string::npos) return out;
  // The directory of the file as found, and of its canonical path (symlinks resolved):
  // gdb looks beside the canonical file, and libraries are often reached through
  // links (/lib -> usr/lib).
  std::vector<std::string> dirs{dirname_of(file_on_disk)};
  std::error_code ec;
  fs::path canonical = fs::canonical(file_on_disk, ec);
  if (!ec) add_unique(&dirs, dirname_of(canonical.string()));
  for (const std::string& dir : dirs) {
    add_unique(&out, join(dir, link_name));
    add_unique(&out, join(join(dir, ".debug"), link_name));
  }
  // Under the debug roots, by the object's directory in the target's file system:
  // the recorded one, and the canonical one with the sysroot taken off.
  std::vector<std::string> target_dirs;
  if (!module_path.empty() && module_path.front() == '/') target_dirs.push_back(dirname_of(module_path));
  if (!ec) {
    std::string c = canonical.string();
    if (sysroot_.empty()) {
      add_unique(&target_dirs, dirname_of(c));
    } else if (c.compare(0, sysroot_.size(), sysroot_) == 0 && c.size() > sysroot_.size() &&
               c[sysroot_.size()] == '/') {
      add_unique(&target_dirs, dirname_of(c.substr(sysroot_.size())));
    }
  }
  for (const std::string& root : debug_roots_) {
    for (const std::string& dir : target_dirs) add_unique(&out, join(join(root, dir), link_name));
  }
  return out;
}

std::optional<std::string> DebugFileFinder::find_by_build_id(std::span<const uint8_t> build_id,
                                                             bool debug,
                                                             std::vector<std::string>* rejected) const {
  for (const std::string& candidate : build_id_candidates(build_id, debug)) {
    if (!exists(candidate)) continue;
    std::string why;
    if (verify_file(candidate, build_id, std::nullopt, &why)) return candidate;
    rejected->push_back(why);
  }
  return std::nullopt;
}

std::optional<std::string> DebugFileFinder::find_debug_file(const std::string& module_path,
                                                            const std::string& file_on_disk,
                                                            std::span<const uint8_t> build_id,
                                                            const std::optional<DebugLink>& link,
                                                            std::vector<std::string>* rejected) const {
  if (auto found = find_by_build_id(build_id, true, rejected)) return found;
  if (!link) return std::nullopt;
  for (const std::string& candidate : debuglink_candidates(module_path, file_on_disk, link->name)) {
    if (!exists(candidate) || same_file(candidate, file_on_disk)) continue;
    std::string why;
    if (verify_file(candidate, build_id, link->crc, &why)) return candidate;
    rejected->push_back(why);
  }
  return std::nullopt;
}

}  // namespace heapdrift::symbolizer
