#include "teardown_note.h"

#include "snapshot_reader.h"
#include "units.h"

namespace heapdrift::cli {

std::string teardown_note(const std::vector<std::filesystem::path>& files, const ProcessInfo& latest,
                          double estimated) {
  if (files.size() < 2 || latest.trigger != format::Trigger::kExit) return "";
  const std::filesystem::path& before = files[files.size() - 2];
  // Its samples are enough: no stack is decoded into the result, none symbolized.
  Snapshot previous = read_snapshot(before, [](const ProcessInfo&, uint32_t) { return false; });
  double held = 0;
  for (const Sample& sample : previous.samples) held += double(sample.size) * sample.weight;
  if (estimated >= 0.75 * held) return "";
  return files.back().filename().string() + " is the exit snapshot, written after the program's teardown: it holds " +
         format_bytes(estimated) + " of the " + format_bytes(held) + " estimated in the one before it, " +
         before.string() + ", which shows the heap as the program ran";
}

}  // namespace heapdrift::cli
