#include "teardown_note.h"

#include "snapshot_reader.h"
#include "units.h"

namespace heapdrift::cli {

std::string teardown_note(const std::vector<std::filesystem::path>& files, const ProcessInfo& latest,
                          double estimated) {
  if (files.size() < 2 || latest.trigger != format::Trigger::kExit) return "";
  auto estimate = [](const std::filesystem::path& file) {
    // Its samples are enough: no stack is decoded into the result, none symbolized.
    Snapshot s = read_snapshot(file, [](const ProcessInfo&, uint32_t) { return false; });
    double held = 0;
    for (const Sample& sample : s.samples) held += double(sample.size) * sample.weight;
    return held;
  };
  // A snapshot that caught the teardown under way holds under three quarters of the
  // one before it, and not less than the exit snapshot (as the leak test judges,
  // docs/LEAK_RANKING.md): name the one before the teardown began. Near its end the
  // few blocks left may all be unsampled: estimates of 0 do not stop the walk.
  size_t before = files.size() - 2;
  double held = estimate(files[before]);
  while (before > 0 && estimated <= held) {
    const double earlier = estimate(files[before - 1]);
    if (!(held < 0.75 * earlier || (held == 0 && earlier == 0))) break;
    --before, held = earlier;
  }
  if (estimated >= 0.75 * held) return "";
  return files.back().filename().string() + " is the exit snapshot, written after the program's teardown: it holds " +
         format_bytes(estimated) + " of the " + format_bytes(held) + " estimated in " +
         (before + 2 == files.size() ? "the one before it, " : "the last one before the teardown began, ") +
         files[before].string() + ", which shows the heap as the program ran";
}

}  // namespace heapdrift::cli
