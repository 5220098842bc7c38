#include "debuginfod.h"

#include <climits>
#include <cstdlib>
#include <unistd.h>

#include <elfutils/libdwfl.h>

namespace heapdrift::symbolizer {

bool debuginfod_configured() {
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  return urls != nullptr && *urls != '\0';
}

std::string path_of_fd(int fd) {
  char buf[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

int find_executable_by_build_id(std::span<const uint8_t> build_id, const std::string& debuginfo_path,
                                std::string* path) {
  if (build_id.empty()) return -1;
  char* search_path = const_cast<char*>(debuginfo_path.c_str());
  const Dwfl_Callbacks callbacks = {
      .find_elf = dwfl_build_id_find_elf,
      .find_debuginfo = dwfl_standard_find_debuginfo,
      .section_address = dwfl_offline_section_address,
      .debuginfo_path = &search_path,
  };
  // A throw-away session holding one module that is nothing but a build-id: the
  // standard find_elf callback is called on it directly.
  Dwfl* dwfl = dwfl_begin(&callbacks);
  if (dwfl == nullptr) return -1;
  dwfl_report_begin(dwfl);
  Dwfl_Module* mod = dwfl_report_module(dwfl, "build-id", 0x1000, 0x2000);
  int fd = -1;
  if (mod != nullptr && dwfl_module_report_build_id(mod, build_id.data(), build_id.size(), 0) == 0 &&
      dwfl_report_end(dwfl, nullptr, nullptr) == 0) {
    void** userdata = nullptr;
    dwfl_module_info(mod, &userdata, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    char* file_name = nullptr;
    Elf* elf = nullptr;
    fd = dwfl_build_id_find_elf(mod, userdata, "build-id", 0x1000, &file_name, &elf);
    if (elf != nullptr) elf_end(elf);
    if (fd >= 0) {
      if (file_name != nullptr) {
        *path = file_name;
      } else {
        *path = path_of_fd(fd);
        if (path->empty()) *path = "(debuginfod)";
      }
    }
    std::free(file_name);
  }
  dwfl_end(dwfl);
  return fd;
}

}  // namespace heapdrift::symbolizer
