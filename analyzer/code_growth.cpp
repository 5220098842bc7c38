#include "code_growth.h"

#include <algorithm>
#include <array>

#include "compiled_versions.h"
#include "jit_log_reader.h"
#include "snapshot_format.h"

namespace heapdrift {
namespace {

// HotSpot keeps a handful of versions of a method alive at most in a healthy run: C1's
// and C2's, on-stack-replacement code, and replaced code until the sweeper (or, from
// JDK 20, class unloading) frees it.
constexpr uint32_t kMinVersions = 16;

}  // namespace

void find_code_growth(ProcessLeaks& leaks, const std::filesystem::path& process_dir) {
  const std::vector<uint64_t>& t = leaks.history.timeline.snapshot_ns;
  const size_t judged = std::min(leaks.judged_snapshots, t.size());
  const std::filesystem::path log = process_dir / format::kJitLog;
  std::error_code ec;
  if (judged < 3 || !std::filesystem::exists(log, ec)) return;
  const std::array<uint64_t, 3> times = {t[0], t[judged / 2], t[judged - 1]};
  perfmap::JitLog jit;
  try {
    jit = perfmap::read_jit_log(log);
  } catch (const perfmap::ReadError&) {
    return;  // the symbolizer, which read it first, warned: Java frames stay unnamed
  }
  for (perfmap::CompiledVersions& m : perfmap::compiled_versions(jit, times)) {
    const auto& v = m.versions;
    if (v[2] < kMinVersions || v[1] <= v[0] || v[2] <= v[1]) continue;
    leaks.code_growth.push_back({std::move(m.function), std::move(m.signature), v[0], v[2], m.bytes[2]});
  }
  std::sort(leaks.code_growth.begin(), leaks.code_growth.end(),
            [](const CodeGrowth& a, const CodeGrowth& b) { return a.versions_last > b.versions_last; });
}

}  // namespace heapdrift
