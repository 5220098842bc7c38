// `heapdrift diff EARLY LATE`: per site, how its live bytes changed between two
// snapshots, with the sampling error of the change. Snapshots of one process share
// their surviving samples, which then cancel out of the change and its error; the
// error of a change between two processes is the sum of both errors.
#ifndef HEAPDRIFT_ANALYZER_SITE_DIFF_H
#define HEAPDRIFT_ANALYZER_SITE_DIFF_H

#include <string_view>
#include <vector>

#include "frame.h"
#include "process_history.h"

namespace heapdrift {

struct SiteChange {
  enum class Status { kGrowth, kShrink, kNew, kGone, kSame };
  std::vector<FrameId> frames;
  double early = 0, late = 0;  // estimated live bytes
  double change = 0;           // late − early
  double change_variance = 0;  // sampling variance of `change`
  Status status = Status::kSame;
};

// new and gone where one side has nothing, else by the sign of the change.
SiteChange::Status status_of(double early, double late);
std::string_view status_name(SiteChange::Status status);

// Two snapshots of one process, as one history (load_history of both files).
std::vector<SiteChange> diff_sites(const ProcessHistory& both);
// Snapshots of two processes (or two recordings): sites matched by site_key().
std::vector<SiteChange> diff_sites(const ProcessHistory& early, const ProcessHistory& late, const FrameTable& frames);
// The same changes, from late back to early.
std::vector<SiteChange> reversed(std::vector<SiteChange> changes);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_SITE_DIFF_H
