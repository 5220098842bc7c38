// Flamegraph SVG: stacks → call tree → pre-order layout → SVG text.
//
// Names and details are sanitized once per input frame and ranked in drawing order
// (alphabetical, as in flamegraph.pl); the stacks, sorted by those ranks, merge into
// the tree in one pass, which numbers its nodes in pre-order. The layout walks it once
// into a flat list of drawn frames; each records where its subtree ends in that list,
// which is all the embedded script needs to zoom (a frame's descendants are the frames
// after it up to that end, its ancestors the frames before it whose subtree contains it).
//
// Every number goes through std::to_chars, so the output does not depend on the
// process locale.
#include "flamegraph_svg.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "flamegraph_script.h"
#include "utf8.h"

namespace heapdrift {
namespace {

// Geometry, in pixels. kCharWidth is the advance of the 12 px monospace font (0.6 em)
// with a little slack, so fitted labels never overrun their box.
constexpr double kXPad = 10;
constexpr double kFrameHeight = 16;
constexpr double kBoxHeight = 15;
constexpr double kCharWidth = 7.3;
constexpr double kTextPad = 3;
constexpr double kLegendRow = 18;
constexpr double kSwatch = 12;

// ---------------------------------------------------------------------------------
// Text

// Valid UTF-8 of characters XML 1.0 allows, minus the control characters (a frame
// name is one line): anything else becomes U+FFFD.
std::string sanitize(std::string_view in) {
  return valid_utf8(in, [](uint32_t cp) { return cp >= 0x20 && cp != 0x7F && cp != 0xFFFE && cp != 0xFFFF; });
}

// For text and attribute values alike; the input is already sanitized.
std::string xml_escape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) >> 6) == 0x2; }

size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !is_continuation(c); }));
}

// The label that fits a box `width` wide: the whole name, or its first code points
// and "..", or nothing when fewer than 3 characters fit. The script's fit() agrees.
std::string fit_label(std::string_view name, double width) {
  double max = std::floor((width - 2 * kTextPad) / kCharWidth);
  if (static_cast<double>(code_points(name)) <= max) return std::string(name);
  if (max < 3) return {};
  auto keep = static_cast<size_t>(max) - 2;
  size_t end = 0;
  for (size_t seen = 0; end < name.size(); ++end) {
    if (!is_continuation(name[end]) && seen++ == keep) break;
  }
  return std::string(name.substr(0, end)) + "..";
}

// ---------------------------------------------------------------------------------
// Numbers

std::string fixed(double v, int decimals) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  return std::string(buf, result.ptr);
}

// Shortest text that reads back as the same double (for data attributes).
std::string exact(double v) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double a = std::fabs(bytes);
  size_t u = 0;
  while (a >= 1024 && u + 1 < std::size(kUnits)) a /= 1024, ++u;
  int digits = u == 0 ? 0 : a < 10 ? 2 : a < 100 ? 1 : 0;
  return (bytes < 0 ? "-" : "") + fixed(a, digits) + " " + kUnits[u];
}

std::string signed_bytes(double bytes) { return (bytes > 0 ? "+" : "") + human_bytes(bytes); }

std::string percent(double fraction) { return fixed(100 * fraction, 2) + "%"; }

// Sample counts are whole numbers unless a caller scaled them: 1,234,567 or 12.5.
std::string count_text(double count) {
  double rounded = std::round(count);
  if (std::fabs(count - rounded) > 1e-9) return fixed(count, 1);
  std::string digits = fixed(std::fabs(rounded), 0), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (rounded < 0 ? "-" : "") + out;
}

double clean(double v) { return std::isfinite(v) && v > 0 ? v : 0; }

// ---------------------------------------------------------------------------------
// Colours

struct Hsl {
  double h, s, l;  // degrees, percent, percent
};

std::string hex(Hsl c) {
  double s = c.s / 100, l = c.l / 100;
  double chroma = (1 - std::fabs(2 * l - 1)) * s;
  double hp = std::fmod(c.h, 360.0) / 60;
  double x = chroma * (1 - std::fabs(std::fmod(hp, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  if (hp < 1) r = chroma, g = x;
  else if (hp < 2) r = x, g = chroma;
  else if (hp < 3) g = chroma, b = x;
  else if (hp < 4) g = x, b = chroma;
  else if (hp < 5) r = x, b = chroma;
  else r = chroma, b = x;
  double m = l - chroma / 2;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "#";
  for (double v : {r, g, b}) {
    int byte = std::clamp(static_cast<int>(std::lround((v + m) * 255)), 0, 255);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xF];
  }
  return out;
}

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

// A kind's colours: hue and lightness vary within these ranges by a hash of the name.
struct Palette {
  double hue_low, hue_high, saturation, light_low, light_high;
  std::string_view label;  // in the legend
};

Palette palette(FrameKind kind) {
  switch (kind) {
    case FrameKind::kNative: return {0, 20, 80, 58, 66, "native code"};
    case FrameKind::kJvm: return {49, 56, 90, 54, 62, "JVM (libjvm)"};
    case FrameKind::kJava: return {100, 122, 52, 44, 52, "JIT Java"};
    case FrameKind::kJavaInlined: return {188, 198, 80, 56, 64, "inlined Java"};
    case FrameKind::kJavaInterpreted: return {78, 88, 60, 70, 76, "interpreted Java"};
    case FrameKind::kJvmGenerated: return {24, 30, 48, 40, 46, "JVM-generated (interpreter, stubs)"};
    case FrameKind::kJit: return {268, 288, 50, 62, 70, "JIT code named by its perf map"};
    case FrameKind::kUnknown: return {0, 0, 0, 72, 80, "unknown"};
  }
  return {0, 0, 0, 72, 80, "unknown"};
}

constexpr FrameKind kAllKinds[] = {FrameKind::kNative,          FrameKind::kJvm,
                                   FrameKind::kJava,            FrameKind::kJavaInlined,
                                   FrameKind::kJavaInterpreted, FrameKind::kJvmGenerated,
                                   FrameKind::kJit,             FrameKind::kUnknown};

const Hsl kRootColour = {220, 14, 80};
const Hsl kUnchangedColour = {0, 0, 92};

std::string kind_colour(FrameKind kind, std::string_view name) {
  Palette p = palette(kind);
  uint32_t h = fnv1a(name);
  double v1 = (h & 0xFFFF) / 65535.0, v2 = (h >> 16) / 65535.0;
  return hex({p.hue_low + (p.hue_high - p.hue_low) * v1, p.saturation,
              p.light_low + (p.light_high - p.light_low) * v2});
}

std::string legend_colour(FrameKind kind) {
  Palette p = palette(kind);
  return hex({(p.hue_low + p.hue_high) / 2, p.saturation, (p.light_low + p.light_high) / 2});
}

// Diff: the hue says the direction, the depth of colour the size of the change
// relative to the largest change drawn (0 < strength <= 1).
enum class Change { kUnchanged, kGrowth, kShrink, kNew };

Hsl diff_hsl(Change change, double strength) {
  switch (change) {
    case Change::kGrowth: return {0, 82, 94 - 46 * strength};
    case Change::kShrink: return {130, 55, 94 - 52 * strength};
    case Change::kNew: return {218, 78, 90 - 42 * strength};
    case Change::kUnchanged: return kUnchangedColour;
  }
  return kUnchangedColour;
}

// ---------------------------------------------------------------------------------
// The call tree

constexpr uint32_t kNone = UINT32_MAX;

// What the tree merges on, each distinct value once and in drawing order: frame names
// (sanitized) with their kinds, sorted as flamegraph.pl draws siblings; and details,
// sorted so that a frame's tooltip shows the first of its locations.
struct Names {
  std::vector<std::pair<std::string, FrameKind>> keys;
  std::vector<std::string> details;
  std::vector<uint32_t> key_of, detail_of;  // per input frame; detail kNone when it has none
};

// Sorts and dedups `values`, and gives each of `raw` its index among them.
template <class T>
std::vector<uint32_t> rank(std::vector<T> raw, std::vector<T>& values) {
  values = raw;
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<uint32_t> out(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    out[i] = static_cast<uint32_t>(std::lower_bound(values.begin(), values.end(), raw[i]) - values.begin());
  }
  return out;
}

Names intern_names(const std::vector<FlameFrame>& frames) {
  std::vector<std::pair<std::string, FrameKind>> keys;
  std::vector<std::string> details;
  keys.reserve(frames.size());
  for (const FlameFrame& f : frames) {
    keys.emplace_back(f.name.empty() ? "[unknown]" : sanitize(f.name), f.kind);
    if (!f.detail.empty()) details.push_back(sanitize(f.detail));
  }
  Names names;
  names.key_of = rank(std::move(keys), names.keys);
  std::vector<uint32_t> ranked = rank(std::move(details), names.details);
  names.detail_of.assign(frames.size(), kNone);
  for (size_t i = 0, k = 0; i < frames.size(); ++i) {
    if (!frames[i].detail.empty()) names.detail_of[i] = ranked[k++];
  }
  return names;
}

// Nodes are numbered in pre-order and siblings linked in drawing order, as the tree is
// built from the stacks in that order.
struct Node {
  uint32_t key = kNone;  // kNone: the root
  uint32_t first_child = kNone, next_sibling = kNone;
  uint32_t detail = kNone;  // the first in drawing order of its distinct details
  uint32_t details = 0;     // how many distinct
  double bytes = 0, count = 0, baseline_bytes = 0, baseline_count = 0;
  double self_bytes = 0;  // of stacks that end here
};

struct Tree {
  Names names;
  std::vector<Node> nodes;

  std::string_view name(const Node& n) const {
    return n.key == kNone ? std::string_view("all") : std::string_view(names.keys[n.key].first);
  }
  FrameKind kind(const Node& n) const { return n.key == kNone ? FrameKind::kUnknown : names.keys[n.key].second; }
};

// The stacks, sorted by their keys, become the tree in one pass: a stack shares with
// the one before it the nodes of their common prefix and adds the rest. Equal keys
// keep the input's order, so sums do not depend on how the frames were numbered.
Tree build_tree(const FlameProfile& profile) {
  Tree tree;
  size_t most = 1;  // nodes: every frame a node of its own
  for (const FlameStack& stack : profile.stacks) {
    most += stack.frames.size();
    for (uint32_t f : stack.frames) {
      if (f >= profile.frames.size()) {
        throw std::invalid_argument("flamegraph: a stack names frame " + std::to_string(f) + " of " +
                                    std::to_string(profile.frames.size()));
      }
    }
  }
  tree.names = intern_names(profile.frames);
  const std::vector<uint32_t>& key_of = tree.names.key_of;
  auto key = [&](const FlameStack& s, size_t i) { return key_of[s.frames[i]]; };

  std::vector<uint32_t> order(profile.stacks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const FlameStack &x = profile.stacks[a], &y = profile.stacks[b];
    return std::lexicographical_compare(x.frames.begin(), x.frames.end(), y.frames.begin(), y.frames.end(),
                                        [&](uint32_t f, uint32_t g) { return key_of[f] < key_of[g]; });
  });

  std::vector<Node>& nodes = tree.nodes;
  nodes.reserve(most);
  nodes.emplace_back();
  std::vector<uint32_t> path = {0};  // the previous stack's nodes, the root first
  std::unordered_set<uint64_t> details;  // (node, detail) of nodes with more than one
  auto add_detail = [&](uint32_t at, uint32_t d) {
    Node& n = nodes[at];
    if (n.details == 0) {
      n.detail = d, n.details = 1;
      return;
    }
    if (n.details == 1) {
      if (n.detail == d) return;
      details.insert(uint64_t(at) << 32 | n.detail);
    }
    if (details.insert(uint64_t(at) << 32 | d).second) {
      n.details++;
      n.detail = std::min(n.detail, d);
    }
  };

  const FlameStack* previous = nullptr;
  for (uint32_t index : order) {
    const FlameStack& stack = profile.stacks[index];
    size_t common = 0;
    if (previous) {
      size_t n = std::min(previous->frames.size(), stack.frames.size());
      while (common < n && key(*previous, common) == key(stack, common)) ++common;
    }
    // Where the stacks part, the previous one's node is the last child so far of the
    // node they share; below it, every node is new.
    uint32_t sibling = path.size() > common + 1 ? path[common + 1] : kNone;
    path.resize(common + 1);
    for (size_t i = common; i < stack.frames.size(); ++i) {
      auto child = static_cast<uint32_t>(nodes.size());
      if (sibling != kNone) nodes[sibling].next_sibling = child;
      else nodes[path.back()].first_child = child;
      sibling = kNone;
      nodes.emplace_back().key = key(stack, i);
      path.push_back(child);
    }
    double bytes = clean(stack.bytes), count = clean(stack.count);
    double baseline_bytes = clean(stack.baseline_bytes), baseline_count = clean(stack.baseline_count);
    for (size_t depth = 0; depth < path.size(); ++depth) {
      Node& n = nodes[path[depth]];
      n.bytes += bytes, n.count += count;
      n.baseline_bytes += baseline_bytes, n.baseline_count += baseline_count;
      if (depth > 0) {
        uint32_t d = tree.names.detail_of[stack.frames[depth - 1]];
        if (d != kNone) add_detail(path[depth], d);
      }
    }
    nodes[path.back()].self_bytes += bytes;
    previous = &stack;
  }
  return tree;
}

// ---------------------------------------------------------------------------------
// Layout

struct Placed {
  uint32_t node = 0;
  int depth = 0;
  double offset = 0;  // bytes to the left of the frame, from the root's left edge
  size_t end = 0;     // one past its last descendant in the pre-order list
  // Children not drawn: too narrow, or (diff) gone since the baseline.
  size_t narrow = 0, gone = 0;
  double narrow_bytes = 0, gone_baseline_bytes = 0;
};

struct Layout {
  std::vector<Placed> frames;  // pre-order; frames[0] is the root
  int max_depth = 0;
};

void place(const std::vector<Node>& nodes, uint32_t at, int depth, double offset,
           double threshold, Layout& layout) {
  size_t self = layout.frames.size();
  layout.frames.push_back({at, depth, offset});
  layout.max_depth = std::max(layout.max_depth, depth);
  for (uint32_t child = nodes[at].first_child; child != kNone; child = nodes[child].next_sibling) {
    const Node& c = nodes[child];
    if (c.bytes <= 0) {
      if (c.baseline_bytes > 0) {
        layout.frames[self].gone++;
        layout.frames[self].gone_baseline_bytes += c.baseline_bytes;
      }
      continue;
    }
    if (c.bytes < threshold) {
      layout.frames[self].narrow++;
      layout.frames[self].narrow_bytes += c.bytes;
    } else {
      place(nodes, child, depth + 1, offset, threshold, layout);
    }
    offset += c.bytes;
  }
  layout.frames[self].end = layout.frames.size();
}

// ---------------------------------------------------------------------------------
// The SVG

struct Canvas {
  double width = 0, plot_width = 0;
  double frames_top = 0, frames_bottom = 0, height = 0;
  double x(double offset_bytes, double total) const {
    return kXPad + plot_width * offset_bytes / total;
  }
  double y(int depth) const { return frames_bottom - (depth + 1) * kFrameHeight; }
};

struct LegendItem {
  std::string fill;     // a colour, or url(#…) of a gradient defined in <defs>
  std::string label;
  bool new_mark = false;  // the dashed outline of new frames
};

std::vector<LegendItem> legend_items(const Tree& tree, const Layout& layout, bool diff) {
  if (diff) {
    return {{"url(#growth)", "growth"},
            {"url(#shrink)", "shrink"},
            {hex(diff_hsl(Change::kNew, 0.6)), "new (not in the baseline)", true},
            {hex(kUnchangedColour), "unchanged"}};
  }
  std::set<FrameKind> present;
  for (size_t i = 1; i < layout.frames.size(); ++i) present.insert(tree.kind(tree.nodes[layout.frames[i].node]));
  std::vector<LegendItem> items;
  for (FrameKind kind : kAllKinds) {
    if (present.count(kind)) items.push_back({legend_colour(kind), std::string(palette(kind).label)});
  }
  return items;
}

double legend_item_width(const LegendItem& item) {
  return kSwatch + 5 + static_cast<double>(code_points(item.label)) * kCharWidth + 18;
}

// Items flow left to right and wrap; returns each item's (x, row).
std::vector<std::pair<double, int>> legend_positions(const std::vector<LegendItem>& items, double width) {
  std::vector<std::pair<double, int>> out;
  double x = kXPad;
  int row = 0;
  for (const LegendItem& item : items) {
    double w = legend_item_width(item);
    if (x > kXPad && x + w > width - kXPad) x = kXPad, ++row;
    out.emplace_back(x, row);
    x += w;
  }
  return out;
}

std::string tooltip(const Tree& tree, const Placed& p, double total, bool diff, double min_fraction) {
  const Node& n = tree.nodes[p.node];
  bool root = p.node == 0;
  std::string t = std::string(tree.name(n)) + "\n";
  if (root) {
    t += "all live heap";
  } else {
    t += frame_kind_name(tree.kind(n));
    if (n.details > 0) {
      t += " · " + tree.names.details[n.detail];
      size_t others = n.details - 1;
      if (others > 0) t += " (and " + std::to_string(others) + (others == 1 ? " other location)" : " other locations)");
    }
  }
  t += "\n" + human_bytes(n.bytes) + " (" + percent(n.bytes / total) + " of all), " +
       count_text(n.count) + (n.count == 1 ? " sample" : " samples");
  if (n.first_child != kNone && n.self_bytes > 0) t += "\nself: " + human_bytes(n.self_bytes);
  if (diff) {
    double delta = n.bytes - n.baseline_bytes;
    if (n.baseline_bytes <= 0) {
      t += "\nnew: not in the baseline";
    } else {
      t += "\nbaseline " + human_bytes(n.baseline_bytes) + " (" + count_text(n.baseline_count) +
           " samples), delta " + signed_bytes(delta) + " (" + (delta > 0 ? "+" : "") +
           fixed(100 * delta / n.baseline_bytes, 1) + "%)";
    }
  }
  if (p.narrow > 0) {
    t += "\nnot drawn: " + std::to_string(p.narrow) + (p.narrow == 1 ? " callee" : " callees") +
         " narrower than " + fixed(100 * min_fraction, 2) + "% of all, " + human_bytes(p.narrow_bytes);
  }
  if (p.gone > 0) {
    t += "\ngone since the baseline (not drawn): " + std::to_string(p.gone) +
         (p.gone == 1 ? " callee, " : " callees, ") + human_bytes(p.gone_baseline_bytes) + " in the baseline";
  }
  return t;
}

class SvgWriter {
 public:
  explicit SvgWriter(std::string& out) : out_(out) {}

  void text(double x, double y, std::string_view klass, std::string_view content,
            std::string_view extra = {}) {
    out_ += "<text x=\"" + fixed(x, 2) + "\" y=\"" + fixed(y, 2) + "\"";
    if (!klass.empty()) out_ += " class=\"" + std::string(klass) + "\"";
    if (!extra.empty()) out_ += " " + std::string(extra);
    out_ += ">" + xml_escape(content) + "</text>\n";
  }

  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view extra = {}) {
    out_ += "<rect x=\"" + fixed(x, 2) + "\" y=\"" + fixed(y, 2) + "\" width=\"" + fixed(w, 2) +
            "\" height=\"" + fixed(h, 2) + "\" fill=\"" + std::string(fill) + "\"";
    if (!extra.empty()) out_ += " " + std::string(extra);
    out_ += "/>\n";
  }

  void raw(std::string_view s) { out_ += s; }

 private:
  std::string& out_;
};

void open_svg(std::string& out, const Canvas& c, std::string_view data_attributes, std::string_view title) {
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";
  out += "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fixed(c.width, 0) +
         "\" height=\"" + fixed(c.height, 0) + "\" viewBox=\"0 0 " + fixed(c.width, 0) + " " +
         fixed(c.height, 0) + "\"" + std::string(data_attributes) + ">\n";
  out += "<title>" + xml_escape(title) + "</title>\n";
  out += "<style><![CDATA[" + std::string(flamegraph::kStyle) + "]]></style>\n";
}

void write_headings(SvgWriter& w, const Canvas& c, const std::string& title, const std::string& subtitle) {
  w.rect(0, 0, c.width, c.height, "#fcfcfa");
  w.text(c.width / 2, 24, "title", title);
  if (!subtitle.empty()) w.text(c.width / 2, 42, "subtitle", subtitle);
}

double image_width(const FlameOptions& options) {
  return std::isfinite(options.width) ? std::max(options.width, 200.0) : 1200;
}

// What the user sees when there is nothing to draw.
std::string render_empty(const std::string& title, const std::string& subtitle, const FlameOptions& options,
                         double baseline_total) {
  Canvas c;
  c.width = image_width(options);
  c.height = 130;
  std::string out;
  open_svg(out, c, "", title);
  SvgWriter w(out);
  write_headings(w, c, title, subtitle);
  w.text(c.width / 2, 80, "subtitle", "Nothing to show: no live heap bytes in these samples.");
  if (options.diff && baseline_total > 0) {
    w.text(c.width / 2, 98, "subtitle",
           "All " + human_bytes(baseline_total) + " live in the baseline are gone.");
  }
  out += "</svg>\n";
  return out;
}

}  // namespace

std::string render_flamegraph_svg(const FlameProfile& profile, const FlameOptions& options) {
  std::string title = sanitize(options.title.empty() ? (options.diff ? "Live heap growth" : "Live heap")
                                                     : options.title);
  std::string subtitle = sanitize(options.subtitle);
  Tree tree = build_tree(profile);
  const std::vector<Node>& nodes = tree.nodes;
  double total = nodes[0].bytes;
  if (total <= 0) return render_empty(title, subtitle, options, nodes[0].baseline_bytes);

  double min_fraction = std::isfinite(options.min_width_fraction) ? std::clamp(options.min_width_fraction, 0.0, 1.0)
                                                                   : 0.0;
  Layout layout;
  place(nodes, 0, 0, 0, total * min_fraction, layout);

  // Diff colours are relative to the largest change among the drawn frames; the root
  // only counts when it is alone (it sums everything, and would pale the rest).
  double max_change = 0;
  for (size_t i = layout.frames.size() > 1 ? 1 : 0; i < layout.frames.size(); ++i) {
    const Node& n = nodes[layout.frames[i].node];
    max_change = std::max(max_change, std::fabs(n.bytes - n.baseline_bytes));
  }

  Canvas c;
  c.width = image_width(options);
  c.plot_width = c.width - 2 * kXPad;
  std::vector<LegendItem> legend = legend_items(tree, layout, options.diff);
  auto legend_at = legend_positions(legend, c.width);
  int legend_rows = legend_at.empty() ? 0 : legend_at.back().second + 1;
  double legend_top = subtitle.empty() ? 36 : 52;
  double note_rows = options.diff ? 1 : 0;
  c.frames_top = legend_top + (legend_rows + note_rows) * kLegendRow + 8;
  c.frames_bottom = c.frames_top + (layout.max_depth + 1) * kFrameHeight;
  c.height = c.frames_bottom + 60;  // the details lines and the search result

  std::string out;
  out.reserve(512 * layout.frames.size() + 16384);
  open_svg(out, c,
           " data-xpad=\"" + fixed(kXPad, 2) + "\" data-plot-width=\"" + fixed(c.plot_width, 2) +
               "\" data-char-width=\"" + fixed(kCharWidth, 2) + "\" data-text-pad=\"" + fixed(kTextPad, 2) +
               "\" data-total=\"" + exact(total) + "\" data-diff=\"" + (options.diff ? "1" : "0") + "\"",
           title);
  if (options.diff) {
    out += "<defs>\n";
    for (auto [id, change] : {std::pair{"growth", Change::kGrowth}, std::pair{"shrink", Change::kShrink}}) {
      out += std::string("<linearGradient id=\"") + id + "\"><stop offset=\"0\" stop-color=\"" +
             hex(diff_hsl(change, 0.1)) + "\"/><stop offset=\"1\" stop-color=\"" + hex(diff_hsl(change, 1)) +
             "\"/></linearGradient>\n";
    }
    out += "</defs>\n";
  }
  SvgWriter w(out);
  write_headings(w, c, title, subtitle);
  w.text(kXPad, 24, "button hidden", "Reset zoom", "id=\"unzoom\"");
  w.text(c.width - kXPad, 24, "button", "Search", "id=\"search\" text-anchor=\"end\"");

  out += "<g id=\"legend\">\n";
  for (size_t i = 0; i < legend.size(); ++i) {
    auto [x, row] = legend_at[i];
    double top = legend_top + row * kLegendRow;
    double swatch_width = legend[i].fill.starts_with("url(") ? 2 * kSwatch : kSwatch;
    w.rect(x, top, swatch_width, kSwatch, legend[i].fill, legend[i].new_mark ? "class=\"legend-new\"" : "");
    w.text(x + swatch_width + 5, top + 10, "", legend[i].label);
  }
  if (options.diff) {
    w.text(kXPad, legend_top + legend_rows * kLegendRow + 10, "note",
           "width: live bytes now; colour: change since the baseline, darker = larger. "
           "Frames gone since the baseline are listed in their parent's tooltip.");
  }
  out += "</g>\n";

  out += "<g id=\"frames\">\n";
  for (size_t i = 0; i < layout.frames.size(); ++i) {
    const Placed& p = layout.frames[i];
    const Node& n = nodes[p.node];
    double x = c.x(p.offset, total);
    double width = c.x(p.offset + n.bytes, total) - x;
    std::string fill;
    bool is_new = false;
    if (options.diff) {
      double delta = n.bytes - n.baseline_bytes;
      double strength = max_change > 0 ? std::fabs(delta) / max_change : 0;
      Change change = Change::kUnchanged;
      if (n.baseline_bytes <= 0) change = Change::kNew, is_new = true;
      else if (delta > 0) change = Change::kGrowth;
      else if (delta < 0) change = Change::kShrink;
      fill = hex(diff_hsl(change, std::min(strength, 1.0)));
    } else {
      fill = i == 0 ? hex(kRootColour) : kind_colour(tree.kind(n), tree.name(n));
    }
    out += std::string("<g class=\"f") + (is_new ? " new" : "") + "\" data-d=\"" + std::to_string(p.depth) +
           "\" data-e=\"" + std::to_string(p.end) + "\" data-b=\"" + exact(n.bytes) + "\"><title>" +
           xml_escape(tooltip(tree, p, total, options.diff, min_fraction)) + "</title>";
    w.rect(x, c.y(p.depth), width, kBoxHeight, fill, "rx=\"2\"");
    w.text(x + kTextPad, c.y(p.depth) + 11.5, "", fit_label(tree.name(n), width));
    out += "</g>\n";
  }
  out += "</g>\n";

  w.text(kXPad, c.frames_bottom + 18, "", "", "id=\"details-name\"");
  w.text(kXPad, c.frames_bottom + 34, "note",
         "Click a frame to zoom in, Search (or Ctrl-F) to highlight frames by regular expression.",
         "id=\"details-info\"");
  w.text(kXPad, c.frames_bottom + 50, "", "", "id=\"matched\"");
  out += "<script type=\"text/ecmascript\"><![CDATA[" + std::string(flamegraph::kScript) + "]]></script>\n";
  out += "</svg>\n";
  return out;
}

}  // namespace heapdrift
