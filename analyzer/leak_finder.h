// `heapdrift leaks` for one process: every site judged (leak_rank.h), the suspects
// ranked, and what the snapshots say about RSS beyond the heap.
#ifndef HEAPDRIFT_ANALYZER_LEAK_FINDER_H
#define HEAPDRIFT_ANALYZER_LEAK_FINDER_H

#include <optional>
#include <string>
#include <vector>

#include "leak_rank.h"
#include "process_history.h"

namespace heapdrift {

struct Suspect {
  size_t site;  // index into ProcessHistory::sites
  Verdict verdict;
};

// RSS against the live heap over the run, from the first to the last snapshot judged.
struct MemoryTrend {
  double rss_first = 0, rss_last = 0;    // bytes; 0 when not recorded
  double heap_first = 0, heap_last = 0;  // exact live bytes from the counters
  std::optional<std::string> note;       // set when RSS grew and the heap did not
};

struct ProcessLeaks {
  ProcessHistory history;
  // The snapshots the leak test used, from the first: all, or all but the exit
  // snapshot (docs/LEAK_RANKING.md). Suspects' estimates cover all.
  size_t judged_snapshots = 0;
  std::vector<Suspect> suspects;  // strongest evidence first
  double detection_floor = 0;     // bytes/s; +inf with fewer than 3 snapshots
  MemoryTrend memory;             // over the snapshots judged
};

ProcessLeaks find_leaks(ProcessHistory history, const LeakCriteria& criteria);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_LEAK_FINDER_H
