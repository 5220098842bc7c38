#include "huge_page_heap.h"

#include <sys/auxv.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace heapdrift::cli {
namespace {

constexpr const char* kTunables = "GLIBC_TUNABLES";
constexpr const char* kHugePages = "glibc.malloc.hugetlb";

// The kernel's mode, as "always [madvise] never" with the one in force in brackets.
bool huge_pages_on_request() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  return std::getline(in, modes) && modes.find("[madvise]") != std::string::npos;
}

// GLIBC_TUNABLES with glibc.malloc.hugetlb=1 added to `current` (which may be null),
// or nothing when `current` sets that tunable already: the user's choice stands.
std::optional<std::string> tunables_with_huge_pages(const char* current) {
  std::string tunables = current ? current : "";
  // Tunables are name=value pairs separated by ':'.
  for (size_t at = 0; at <= tunables.size();) {
    size_t end = tunables.find(':', at);
    if (end == std::string::npos) end = tunables.size();
    std::string_view pair(tunables.data() + at, end - at);
    if (pair.substr(0, pair.find('=')) == kHugePages) return std::nullopt;
    at = end + 1;
  }
  if (!tunables.empty()) tunables += ':';
  return tunables + kHugePages + "=1";
}

}  // namespace

void use_huge_page_heap(char** argv) {
  // Run by the dynamic loader named as the program (ld.so heapdrift ...), the kernel
  // loaded no interpreter (AT_BASE 0) and /proc/self/exe is the loader, which would
  // take our first argument for the program to run.
  if (getauxval(AT_BASE) == 0 || !huge_pages_on_request()) return;
  std::optional<std::string> previous;
  if (const char* current = std::getenv(kTunables)) previous = current;
  std::optional<std::string> tunables = tunables_with_huge_pages(previous ? previous->c_str() : nullptr);
  if (!tunables || setenv(kTunables, tunables->c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // No /proc, say: carry on with small pages, in the environment the user gave.
  if (previous) setenv(kTunables, previous->c_str(), 1);
  else unsetenv(kTunables);
}

}  // namespace heapdrift::cli
