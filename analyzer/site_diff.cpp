#include "site_diff.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace heapdrift {
namespace {

std::vector<SiteChange> sorted(std::vector<SiteChange> changes) {
  std::erase_if(changes, [](const SiteChange& c) { return c.early <= 0 && c.late <= 0; });
  std::stable_sort(changes.begin(), changes.end(),
                   [](const SiteChange& a, const SiteChange& b) { return std::fabs(a.change) > std::fabs(b.change); });
  return changes;
}

}  // namespace

SiteChange::Status status_of(double early, double late) {
  using S = SiteChange::Status;
  if (early <= 0 && late > 0) return S::kNew;
  if (late <= 0 && early > 0) return S::kGone;
  if (late > early) return S::kGrowth;
  if (late < early) return S::kShrink;
  return S::kSame;
}

std::string_view status_name(SiteChange::Status status) {
  switch (status) {
    case SiteChange::Status::kGrowth: return "growth";
    case SiteChange::Status::kShrink: return "shrink";
    case SiteChange::Status::kNew: return "new";
    case SiteChange::Status::kGone: return "gone";
    case SiteChange::Status::kSame: return "same";
  }
  return "same";
}

std::vector<SiteChange> diff_sites(const ProcessHistory& h) {
  std::vector<SiteChange> changes;
  const uint32_t last = static_cast<uint32_t>(h.snapshots.size() - 1);
  for (const SiteHistory& site : h.sites) {
    SiteChange c;
    c.frames = site.frames;
    c.early = live_at(site, 0).bytes;
    c.late = live_at(site, last).bytes;
    c.change = c.late - c.early;
    // Samples live in both cancel: only births and deaths carry error.
    for (const TrackedSample& s : site.samples) {
      bool in_early = s.first == 0, in_late = s.last == last;
      if (in_early != in_late) c.change_variance += s.sampling_variance();
    }
    c.status = status_of(c.early, c.late);
    changes.push_back(std::move(c));
  }
  return sorted(std::move(changes));
}

std::vector<SiteChange> diff_sites(const ProcessHistory& early, const ProcessHistory& late, const FrameTable& frames) {
  std::map<std::string, SiteChange> by_key;
  for (const auto* h : {&early, &late}) {
    const uint32_t k = static_cast<uint32_t>(h->snapshots.size() - 1);
    for (const SiteHistory& site : h->sites) {
      SiteChange& c = by_key[site_key(site.frames, frames)];
      if (c.frames.empty()) c.frames = site.frames;
      LiveTotals t = live_at(site, k);
      (h == &early ? c.early : c.late) += t.bytes;
      c.change_variance += t.variance;
    }
  }
  std::vector<SiteChange> changes;
  for (auto& [key, c] : by_key) {
    c.change = c.late - c.early;
    c.status = status_of(c.early, c.late);
    changes.push_back(std::move(c));
  }
  return sorted(std::move(changes));
}

std::vector<SiteChange> reversed(std::vector<SiteChange> changes) {
  for (SiteChange& c : changes) {
    std::swap(c.early, c.late);
    c.change = -c.change;
    c.status = status_of(c.early, c.late);
  }
  return changes;
}

}  // namespace heapdrift
