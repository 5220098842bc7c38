#include "code_growth.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace heapdrift {
namespace {

// HotSpot keeps a handful of versions of a method alive at most in a healthy run: C1's
// and C2's, on-stack-replacement code, and replaced code until the sweeper (or, from
// JDK 20, class unloading) frees it.
constexpr uint32_t kMinVersions = 16;

// The method handles' intrinsics (invokeBasic, linkToStatic, …): HotSpot compiles one
// for each erased signature it links and keeps it for good, and the JVM reports them
// all under the method's one declared signature, so a program that keeps linking new
// lambda and method-handle shapes shows dozens of "versions" of one method that replace
// nothing (44 alive in a run of the JVM benchmark, JvmChurn).
bool is_method_handle_intrinsic(const std::string& function) {
  constexpr std::string_view kClass = "java.lang.invoke.MethodHandle.";
  if (function.rfind(kClass, 0) != 0) return false;
  const std::string_view name = std::string_view(function).substr(kClass.size());
  return name == "invokeBasic" || name.rfind("linkTo", 0) == 0;
}

}  // namespace

void find_code_growth(ProcessLeaks& leaks, const perfmap::JitCodeMap& code) {
  const std::vector<uint64_t>& t = leaks.history.timeline.snapshot_ns;
  const size_t judged = std::min(leaks.judged_snapshots, t.size());
  if (judged < 3) return;
  const std::array<uint64_t, 3> times = {t[0], t[judged / 2], t[judged - 1]};
  for (perfmap::CompiledVersions& m : code.compiled_versions(times)) {
    const auto& v = m.versions;
    if (v[2] < kMinVersions || v[1] <= v[0] || v[2] <= v[1] || is_method_handle_intrinsic(m.function)) continue;
    leaks.code_growth.push_back({std::move(m.function), std::move(m.signature), v[0], v[2], m.bytes[2]});
  }
  std::sort(leaks.code_growth.begin(), leaks.code_growth.end(),
            [](const CodeGrowth& a, const CodeGrowth& b) { return a.versions_last > b.versions_last; });
}

}  // namespace heapdrift
