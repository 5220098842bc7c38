#include "caller_leaks.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace heapdrift {

void find_caller_leaks(ProcessLeaks& leaks, const FrameTable& frames, const LeakCriteria& criteria) {
  const ProcessHistory& h = leaks.history;
  if (leaks.judged_snapshots < 3) return;
  Timeline judged = h.timeline;
  judged.snapshot_ns.resize(leaks.judged_snapshots);
  const uint32_t last = static_cast<uint32_t>(leaks.judged_snapshots - 1);

  std::unordered_set<size_t> suspects;
  for (const Suspect& s : leaks.suspects) suspects.insert(s.site);
  // By caller: its name and script, whatever tier ran it (a method's interpreted and
  // compiled frames differ in kind and line only).
  struct Group {
    FrameId caller;
    std::vector<size_t> sites;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> group_of;
  for (size_t i = 0; i < h.sites.size(); ++i) {
    if (suspects.count(i) || h.sites[i].samples.empty()) continue;
    const size_t c = caller_frame(h.sites[i].frames, frames);
    if (c == kNoFrame) continue;
    const Frame& caller = frames[h.sites[i].frames[c]];
    auto [it, added] = group_of.try_emplace(caller.function + '\x1f' + caller.file, groups.size());
    if (added) groups.push_back({h.sites[i].frames[c], {}});
    groups[it->second].sites.push_back(i);
  }

  std::unordered_set<size_t> members;
  for (const Group& g : groups) {
    if (g.sites.size() < 2) continue;
    std::vector<TrackedSample> samples;
    for (size_t i : g.sites) samples.insert(samples.end(), h.sites[i].samples.begin(), h.sites[i].samples.end());
    Verdict v = judge_site(judged, samples, criteria);
    if (!v.leak) continue;
    CallerLeak leak{g.caller, {}, {}, std::move(v)};
    std::vector<std::pair<double, size_t>> by_growth;
    for (size_t i : g.sites) by_growth.emplace_back(live_at(h.sites[i], last).bytes - live_at(h.sites[i], 0).bytes, i);
    std::sort(by_growth.begin(), by_growth.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [growth, i] : by_growth) leak.sites.push_back(i), leak.growth.push_back(growth);
    extend_to_every_snapshot(leak.verdict, h, leaks.judged_snapshots, g.sites);
    members.insert(g.sites.begin(), g.sites.end());
    leaks.caller_leaks.push_back(std::move(leak));
  }
  // A site that leaks with others is not "grown, but not judged a leak".
  std::erase_if(leaks.growing, [&](const GrowingSite& g) { return members.count(g.site) > 0; });
  std::stable_sort(leaks.caller_leaks.begin(), leaks.caller_leaks.end(),
                   [](const CallerLeak& a, const CallerLeak& b) { return stronger(a.verdict, b.verdict); });
}

}  // namespace heapdrift
