#include "interpreter_layout.h"

#include <charconv>

namespace heapdrift::perfmap {

bool interpreter_layout_known(std::string_view vm_name, std::string_view spec_version) {
#if !defined(__x86_64__)
  return false;
#endif
  // HotSpot names its VMs "OpenJDK 64-Bit Server VM", "Java HotSpot(TM) 64-Bit Server
  // VM", "... Client VM"; Zero (an interpreter in C++, another frame layout) says "Zero
  // VM", OpenJ9 "Eclipse OpenJ9 VM".
  bool hotspot = vm_name.find("Server VM") != std::string_view::npos || vm_name.find("Client VM") != std::string_view::npos;
  int feature = 0;
  const char* end = spec_version.data() + spec_version.size();
  auto [rest, error] = std::from_chars(spec_version.data(), end, feature);
  return hotspot && error == std::errc{} && rest == end && feature >= kOldestCheckedJdk && feature <= kNewestCheckedJdk;
}

}  // namespace heapdrift::perfmap
