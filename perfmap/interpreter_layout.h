// Which JVMs' interpreted frames may be named by the Method* they hold (docs/JITLOG.md,
// "Interpreted frames"). Two HotSpot internals make it work, neither a JVMTI contract:
// - the x86-64 template interpreter keeps the Method* three words below an interpreted
//   frame's frame pointer (frame_x86.hpp: sender sp, last sp, then Method*);
// - a jmethodID is a pointer to a slot that holds the Method*. JDK 26 made it a key
//   into a table (JDK-8268406): reading through it there would fault.
// Allocation-free: the agent calls it inside the JVM at start-up.
#ifndef HEAPDRIFT_PERFMAP_INTERPRETER_LAYOUT_H
#define HEAPDRIFT_PERFMAP_INTERPRETER_LAYOUT_H

#include <string_view>

namespace heapdrift::perfmap {

inline constexpr long kMethodSlotOffset = -3 * 8;  // bytes from the frame pointer

// The JDK feature releases both facts were checked for, on the sources; 17 and 25 also
// by running the tests.
inline constexpr int kOldestCheckedJdk = 17;
inline constexpr int kNewestCheckedJdk = 25;

// vm_name is java.vm.name ("OpenJDK 64-Bit Server VM"), spec_version
// java.vm.specification.version ("17"; "1.8" before JDK 9). True for HotSpot (Server or
// Client VM, not Zero) of a checked release, on x86-64.
bool interpreter_layout_known(std::string_view vm_name, std::string_view spec_version);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_INTERPRETER_LAYOUT_H
