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

CompiledCode compiled_code(std::span<const uint64_t> judged_ns, const perfmap::JitCodeMap& code) {
  const size_t n = judged_ns.size();
  const std::array<uint64_t, 3> times = {judged_ns[0], judged_ns[n / 2], judged_ns[n - 1]};
  CompiledCode out;
  for (perfmap::CompiledVersions& m : code.compiled_versions(times)) {
    out.bytes.first += m.bytes[0];
    out.bytes.last += m.bytes[2];
    const auto& v = m.versions;
    if (n < 3 || v[2] < kMinVersions || v[1] <= v[0] || v[2] <= v[1] || is_method_handle_intrinsic(m.function)) {
      continue;
    }
    out.growth.push_back({std::move(m.function), std::move(m.signature), v[0], v[2], m.bytes[2], m.methods[2]});
  }
  std::sort(out.growth.begin(), out.growth.end(),
            [](const CodeGrowth& a, const CodeGrowth& b) { return a.versions_last > b.versions_last; });
  return out;
}

}  // namespace heapdrift
