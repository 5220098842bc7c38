#include "folded_export.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace heapdrift {

std::string folded_frame_name(const Frame& frame) {
  std::string name = frame.function.empty() ? "[unknown]" : frame.function;
  for (char& c : name) {
    if (c == ';') c = ':';
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (frame.inlined) name += "_[i]";
  else if (frame.kind == FrameKind::kJava || frame.kind == FrameKind::kJavaInterpreted || frame.kind == FrameKind::kJit) {
    name += "_[j]";  // flamegraph.pl's JIT annotation
  }
  return name;
}

namespace {

// Names each frame once, and equal names alike: a stack becomes a sequence of name ids.
class FoldedNames {
 public:
  explicit FoldedNames(const FrameTable& table) : table_(table), of_frame_(table.size(), kUnnamed) {}

  uint32_t id(FrameId frame) {
    uint32_t& known = of_frame_[frame.value];
    if (known == kUnnamed) known = id(folded_frame_name(table_[frame]));
    return known;
  }
  uint32_t id(std::string name) {
    auto [it, added] = ids_.try_emplace(std::move(name), uint32_t(names_.size()));
    if (added) names_.push_back(&it->first);
    return it->second;
  }
  const std::string& operator[](uint32_t id) const { return *names_[id]; }

 private:
  static constexpr uint32_t kUnnamed = UINT32_MAX;
  const FrameTable& table_;
  std::vector<uint32_t> of_frame_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<const std::string*> names_;  // into ids_, whose nodes do not move
};

// Whether line a sorts before line b, as the strings joined by ';' would, without
// joining them: the first name that differs decides, by its first differing character,
// where a name that ends early is followed by ';' (another frame) or by the end.
bool line_less(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, const FoldedNames& names) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    std::string_view x = names[a[i]], y = names[b[i]];
    auto [px, py] = std::mismatch(x.begin(), x.end(), y.begin(), y.end());
    // The character after a name's end: ';' when a frame follows, else -1 (the end).
    auto at = [](std::string_view s, std::string_view::iterator p, bool more) {
      return p != s.end() ? int(static_cast<unsigned char>(*p)) : more ? int(';') : -1;
    };
    return at(x, px, i + 1 < a.size()) < at(y, py, i + 1 < b.size());
  }
  return a.size() < b.size();
}

}  // namespace

std::string folded_stacks(const ExportProfile& profile, const FrameTable& table) {
  FoldedNames names(table);
  std::vector<std::vector<uint32_t>> lines;  // outermost first
  lines.reserve(profile.stacks.size());
  for (const ExportStack& s : profile.stacks) {
    std::vector<uint32_t>& line = lines.emplace_back();
    for (auto l = s.locations.rbegin(); l != s.locations.rend(); ++l) {
      for (auto f = l->frames.rbegin(); f != l->frames.rend(); ++f) line.push_back(names.id(*f));
    }
    if (line.empty()) line.push_back(names.id("[no stack]"));
  }
  std::vector<uint32_t> order(lines.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = uint32_t(i);
  // Stable: equal lines add up their bytes in the stacks' order.
  auto less = [&](uint32_t a, uint32_t b) { return line_less(lines[a], lines[b], names); };
  std::stable_sort(order.begin(), order.end(), less);
  std::string out;
  for (size_t i = 0; i < order.size();) {
    double bytes = 0;
    size_t j = i;
    for (; j < order.size() && lines[order[j]] == lines[order[i]]; ++j) bytes += profile.stacks[order[j]].bytes;
    long long value = std::llround(bytes);
    if (value > 0) {
      const std::vector<uint32_t>& line = lines[order[i]];
      for (size_t k = 0; k < line.size(); ++k) {
        if (k) out += ';';
        out += names[line[k]];
      }
      out += ' ' + std::to_string(value) + '\n';
    }
    i = j;
  }
  return out;
}

}  // namespace heapdrift
