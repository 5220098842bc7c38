// The flamegraph SVG, read back as XML: well-formed for any names, frames as wide as
// their bytes, merged where they should be, coloured by kind or by change.
#include "flamegraph_svg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "svg_doc.h"

namespace heapdrift {
namespace {

using testing::Element;
using testing::Frame;
using testing::frames_of;
using testing::parse_xml;

constexpr double kPlotWidth = 1200 - 2 * 10;  // the default width less the margins

// A stack written out frame by frame; profile() lays them out for the renderer.
struct Stack {
  std::vector<FlameFrame> frames;  // outermost first
  double bytes = 0, count = 0, baseline_bytes = 0, baseline_count = 0;
};

// Each frame of each stack at an index of its own: the renderer merges equal ones.
FlameProfile profile(const std::vector<Stack>& stacks) {
  FlameProfile p;
  for (const Stack& s : stacks) {
    FlameStack& f = p.add(s.frames);
    f.bytes = s.bytes, f.count = s.count, f.baseline_bytes = s.baseline_bytes, f.baseline_count = s.baseline_count;
  }
  return p;
}

Stack stack(std::vector<std::pair<std::string, FrameKind>> frames, double bytes, double count = 1,
            double baseline_bytes = 0, double baseline_count = 0) {
  Stack s;
  for (auto& [name, kind] : frames) s.frames.push_back({name, kind, ""});
  s.bytes = bytes;
  s.count = count;
  s.baseline_bytes = baseline_bytes;
  s.baseline_count = baseline_count;
  return s;
}

constexpr FrameKind N = FrameKind::kNative;

FlameOptions options(bool diff, std::string title = {}, std::string subtitle = {}) {
  FlameOptions o;
  o.diff = diff;
  o.title = std::move(title);
  o.subtitle = std::move(subtitle);
  return o;
}

struct Rendered {
  std::string svg;
  std::unique_ptr<Element> root;
  std::vector<Frame> frames;
};

// Renders and parses; a parse error fails the test that called it.
Rendered render(const std::vector<Stack>& stacks, const FlameOptions& options = {}) {
  Rendered r;
  r.svg = render_flamegraph_svg(profile(stacks), options);
  auto parsed = parse_xml(r.svg);
  EXPECT_EQ(parsed.error, "") << r.svg.substr(0, 2000);
  if (!parsed.root) return r;
  r.root = std::move(parsed.root);
  r.frames = frames_of(*r.root);
  return r;
}

std::vector<const Frame*> named(const Rendered& r, const std::string& name) {
  std::vector<const Frame*> out;
  for (const Frame& f : r.frames) {
    if (f.name() == name) out.push_back(&f);
  }
  return out;
}

const Frame& only(const Rendered& r, const std::string& name) {
  auto found = named(r, name);
  if (found.size() != 1) throw std::runtime_error(name + " drawn " + std::to_string(found.size()) + " times");
  return *found[0];
}

struct Hsl {
  double h, s, l;  // degrees, 0..1, 0..1
};

Hsl hsl_of(const std::string& hex) {
  EXPECT_EQ(hex.size(), 7u) << hex;
  EXPECT_EQ(hex[0], '#') << hex;
  double rgb[3];
  for (int i = 0; i < 3; ++i) rgb[i] = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
  double max = std::max({rgb[0], rgb[1], rgb[2]}), min = std::min({rgb[0], rgb[1], rgb[2]});
  double l = (max + min) / 2, d = max - min;
  if (d < 1e-9) return {0, 0, l};
  double s = d / (1 - std::fabs(2 * l - 1));
  double h;
  if (max == rgb[0]) h = 60 * std::fmod((rgb[1] - rgb[2]) / d + 6, 6.0);
  else if (max == rgb[1]) h = 60 * ((rgb[2] - rgb[0]) / d + 2);
  else h = 60 * ((rgb[0] - rgb[1]) / d + 4);
  return {h, s, l};
}

std::string legend_text(const Rendered& r) {
  const Element* legend = r.root->find_id("legend");
  return legend ? legend->all_text() : "";
}

TEST(FlamegraphSvg, EmptyInputIsAValidSvgSayingThereIsNothing) {
  for (const auto& stacks : {std::vector<Stack>{},
                             std::vector<Stack>{stack({{"main", N}}, 0), stack({}, 0)}}) {
    Rendered r = render(stacks, options(false, "Live heap of <pid 42>"));
    ASSERT_TRUE(r.root);
    EXPECT_EQ(r.root->name, "svg");
    EXPECT_TRUE(r.frames.empty());
    std::string text = r.root->all_text();
    EXPECT_NE(text.find("Nothing to show"), std::string::npos) << text;
    EXPECT_NE(text.find("Live heap of <pid 42>"), std::string::npos) << text;
  }
  // Diff with everything gone says so.
  Rendered r = render({stack({{"main", N}}, 0, 0, 2048, 2)}, options(true));
  ASSERT_TRUE(r.root);
  EXPECT_NE(r.root->all_text().find("All 2.00 KiB live in the baseline are gone"), std::string::npos);
}

TEST(FlamegraphSvg, HostileNamesAreWellFormedAndReadBackIntact) {
  const std::vector<std::string> names = {
      "std::vector<std::pair<int, char*>>::operator<<(std::ostream&)",
      "a&b \"quoted\" 'single' &amp; &#x41;",
      "]]> <![CDATA[ --> <!-- ",
      "Grüße::日本語::名前 🔥",
      "<script>alert(1)</script>",
  };
  std::vector<Stack> stacks;
  for (size_t i = 0; i < names.size(); ++i) {
    Stack s = stack({{"main", N}, {names[i], N}}, 1000.0 * (i + 1));
    s.frames[1].detail = "dir/<odd>&file's.cpp:" + std::to_string(i) + " (lib\"x\".so)";
    stacks.push_back(s);
  }
  Rendered r = render(stacks, options(false, "T <&> \"'", "ünïcode & <sub>"));
  ASSERT_TRUE(r.root);
  for (size_t i = 0; i < names.size(); ++i) {
    const Frame& f = only(r, names[i]);
    EXPECT_NE(f.title.find("dir/<odd>&file's.cpp:" + std::to_string(i) + " (lib\"x\".so)"), std::string::npos)
        << f.title;
  }
  EXPECT_NE(r.root->all_text().find("T <&> \"'"), std::string::npos);
  EXPECT_NE(r.root->all_text().find("ünïcode & <sub>"), std::string::npos);
  // One <script> only: the embedded one.
  int scripts = 0;
  r.root->visit([&](const Element& e) { scripts += e.name == "script"; });
  EXPECT_EQ(scripts, 1);
}

TEST(FlamegraphSvg, InvalidUtf8AndControlCharactersBecomeReplacementCharacters) {
  std::vector<Stack> stacks = {
      stack({{"bad\xff\xfe bytes \xc3", N}}, 100),
      stack({{"ctl\x01\x1b[31m\nline", N}}, 100),
      stack({{"surrogate \xed\xa0\x80 overlong \xc0\xaf", N}}, 100),
      stack({{"", N}}, 100),
  };
  Rendered r = render(stacks, options(false, "\x02title\xff"));
  ASSERT_TRUE(r.root);
  EXPECT_EQ(only(r, "bad\uFFFD\uFFFD bytes \uFFFD").depth, 1);
  EXPECT_EQ(only(r, "ctl\uFFFD\uFFFD[31m\uFFFDline").depth, 1);
  EXPECT_EQ(only(r, "surrogate \uFFFD\uFFFD\uFFFD overlong \uFFFD\uFFFD").depth, 1);
  EXPECT_EQ(only(r, "[unknown]").depth, 1);
  EXPECT_NE(r.root->all_text().find("\uFFFDtitle\uFFFD"), std::string::npos);
}

// Deterministic random stacks over a small vocabulary, so that many prefixes merge.
std::vector<Stack> random_stacks(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  const FrameKind kinds[] = {FrameKind::kNative, FrameKind::kJava, FrameKind::kJvm};
  std::vector<Stack> out;
  for (size_t i = 0; i < n; ++i) {
    Stack s;
    size_t depth = 1 + rng() % 9;
    for (size_t d = 0; d < depth; ++d) {
      s.frames.push_back({"f" + std::to_string(rng() % 4), kinds[rng() % 3], ""});
    }
    s.bytes = static_cast<double>(1 + rng() % 1000000);
    s.count = 1 + rng() % 5;
    out.push_back(std::move(s));
  }
  return out;
}

std::string path_key(const std::vector<FlameFrame>& frames, size_t depth) {
  std::string key;
  for (size_t i = 0; i < depth; ++i) {
    key += frames[i].name + "/" + std::string(frame_kind_name(frames[i].kind)) + ";";
  }
  return key;
}

TEST(FlamegraphSvg, FramesAreAsWideAsTheirBytesAndNestInsideTheirParents) {
  auto stacks = random_stacks(400, 7);
  double total = 0;
  std::map<std::string, double> expected;  // path from the root → bytes beneath it
  for (const auto& s : stacks) {
    total += s.bytes;
    for (size_t d = 0; d <= s.frames.size(); ++d) expected[path_key(s.frames, d)] += s.bytes;
  }
  Rendered r = render(stacks);
  ASSERT_FALSE(r.frames.empty());

  const Frame& root = r.frames[0];
  EXPECT_EQ(root.name(), "all");
  EXPECT_EQ(root.depth, 0);
  EXPECT_DOUBLE_EQ(root.bytes, total);
  EXPECT_NEAR(root.x, 10, 0.006);
  EXPECT_NEAR(root.width, kPlotWidth, 0.006);
  EXPECT_EQ(root.end, r.frames.size());

  // Reconstruct each frame's path from its ancestors (the pre-order intervals) and
  // compare with the bytes computed here.
  std::vector<std::string> path(r.frames.size());
  std::vector<size_t> parent(r.frames.size(), 0);
  std::set<std::string> drawn;
  for (size_t i = 0; i < r.frames.size(); ++i) {
    const Frame& f = r.frames[i];
    ASSERT_GT(f.end, i);
    ASSERT_LE(f.end, r.frames.size());
    for (size_t j = i + 1; j < f.end; ++j) {
      ASSERT_GT(r.frames[j].depth, f.depth) << "frame " << j << " inside " << i;
      if (r.frames[j].depth == f.depth + 1) parent[j] = i;
    }
    if (f.end < r.frames.size()) {
      EXPECT_LE(r.frames[f.end].depth, f.depth);
    }
    if (i > 0) {
      // The kind is the first word of the tooltip's second line.
      std::string second_line = f.title.substr(f.title.find('\n') + 1);
      path[i] = path[parent[i]] + f.name() + "/" + second_line.substr(0, second_line.find_first_of(" \n")) + ";";
    }
    drawn.insert(path[i]);
    ASSERT_TRUE(expected.count(path[i])) << path[i];
    EXPECT_DOUBLE_EQ(f.bytes, expected[path[i]]) << path[i];
    EXPECT_NEAR(f.width, f.bytes / total * kPlotWidth, 0.011) << path[i];
  }
  // Everything at least 0.1% of the total is drawn; nothing smaller is.
  for (const auto& [key, bytes] : expected) {
    EXPECT_EQ(drawn.count(key) == 1, bytes >= total * 0.001) << key << " " << bytes;
  }

  // Children sit side by side inside their parent, one row up.
  for (size_t i = 0; i < r.frames.size(); ++i) {
    const Frame& f = r.frames[i];
    double sum = 0, bytes = 0, right = f.x - 0.01;
    for (size_t j = i + 1; j < f.end; ++j) {
      const Frame& c = r.frames[j];
      if (c.depth != f.depth + 1) continue;
      EXPECT_GE(c.x, right - 0.011) << "overlapping siblings under " << path[i];
      EXPECT_LE(c.x + c.width, f.x + f.width + 0.011);
      EXPECT_NEAR(c.y, f.y - 16, 1e-9);
      right = c.x + c.width;
      sum += c.width;
      bytes += c.bytes;
    }
    EXPECT_LE(sum, f.width + 0.05) << path[i];
    EXPECT_LE(bytes, f.bytes * (1 + 1e-12)) << path[i];
  }
}

TEST(FlamegraphSvg, SameNameAndKindAtTheSamePositionMerge) {
  Stack a = stack({{"main", N}, {"work", N}, {"leak", N}}, 100, 1);
  a.frames[2].detail = "leak.cpp:20 (app)";
  Stack b = stack({{"main", N}, {"work", N}, {"leak", N}}, 50, 1);
  b.frames[2].detail = "leak.cpp:10 (app)";
  Rendered r = render({
      a, b,
      stack({{"main", N}, {"work", N}}, 10, 3),
      stack({{"main", N}, {"idle", N}}, 40, 1),
      stack({{"main", FrameKind::kJava}, {"work", N}}, 7, 1),  // another kind: apart
      stack({{"leak", N}}, 3, 1),                              // another position: apart
  });
  // all; leak; main (native) → idle, work → leak; main (java) → work.
  ASSERT_EQ(r.frames.size(), 8u);
  EXPECT_DOUBLE_EQ(r.frames[0].bytes, 210);
  auto mains = named(r, "main");
  ASSERT_EQ(mains.size(), 2u);
  EXPECT_NE(mains[0]->fill, mains[1]->fill);
  auto leaks = named(r, "leak");
  ASSERT_EQ(leaks.size(), 2u);
  std::set<std::pair<int, double>> leak_frames;
  for (auto* f : leaks) leak_frames.insert({f->depth, f->bytes});
  EXPECT_EQ(leak_frames, (std::set<std::pair<int, double>>{{1, 3}, {3, 150}}));

  const Frame* native_main = mains[0]->bytes == 200 ? mains[0] : mains[1];
  EXPECT_DOUBLE_EQ(native_main->bytes, 200);
  auto works = named(r, "work");
  ASSERT_EQ(works.size(), 2u);
  const Frame* work = works[0]->depth == 2 && works[0]->bytes == 160 ? works[0] : works[1];
  EXPECT_DOUBLE_EQ(work->bytes, 160);
  EXPECT_NE(work->title.find("5 samples"), std::string::npos) << work->title;
  EXPECT_NE(work->title.find("self: 10 B"), std::string::npos) << work->title;
  // The merged leak frame names the first of its two locations and counts the other.
  const Frame* deep_leak = leaks[0]->depth == 3 ? leaks[0] : leaks[1];
  EXPECT_NE(deep_leak->title.find("native · leak.cpp:10 (app) (and 1 other location)"), std::string::npos)
      << deep_leak->title;
  EXPECT_NE(deep_leak->title.find("2 samples"), std::string::npos);
  // Siblings in name order from their parent's left edge, as flamegraph.pl draws them.
  const Frame& idle = only(r, "idle");
  EXPECT_NEAR(idle.x, native_main->x, 0.006);
  EXPECT_NEAR(work->x, idle.x + idle.width, 0.011);
  EXPECT_NEAR(native_main->x, r.frames[1].x + r.frames[1].width, 0.011);  // after "leak"
}

TEST(FlamegraphSvg, NarrowFramesAreLeftOutAndCountedInTheParentTooltip) {
  std::vector<Stack> stacks = {stack({{"main", N}, {"big", N}}, 1000000)};
  for (int i = 0; i < 3; ++i) stacks.push_back(stack({{"main", N}, {"tiny" + std::to_string(i), N}}, 100));
  Rendered r = render(stacks);
  EXPECT_TRUE(named(r, "tiny0").empty());
  EXPECT_EQ(r.frames.size(), 3u);
  EXPECT_NE(only(r, "main").title.find("not drawn: 3 callees narrower than 0.10% of all, 300 B"),
            std::string::npos)
      << only(r, "main").title;

  FlameOptions everything;
  everything.min_width_fraction = 0;
  Rendered all = render(stacks, everything);
  EXPECT_EQ(all.frames.size(), 6u);
  EXPECT_EQ(only(all, "main").title.find("not drawn"), std::string::npos);
}

TEST(FlamegraphSvg, FramesLeftOutKeepTheirPlace) {
  // Nine callees of 0.09% each sort before "big": not drawn, but "big" starts after
  // their bytes, where it would be if they were drawn.
  std::vector<Stack> stacks = {stack({{"main", N}, {"big", N}}, 1000000)};
  for (int i = 0; i < 9; ++i) stacks.push_back(stack({{"main", N}, {"a_tiny" + std::to_string(i), N}}, 910));
  Rendered r = render(stacks);
  ASSERT_EQ(r.frames.size(), 3u);
  double total = r.frames[0].bytes;
  EXPECT_NEAR(only(r, "big").x, only(r, "main").x + 9 * 910 / total * kPlotWidth, 0.011);
  EXPECT_NEAR(only(r, "big").x + only(r, "big").width, only(r, "main").x + only(r, "main").width, 0.011);
}

TEST(FlamegraphSvg, KindsHaveTheirOwnHuesAndALegend) {
  struct Expect {
    FrameKind kind;
    std::string legend;
    double hue_low, hue_high;  // degrees; unknown is grey instead
  };
  const std::vector<Expect> kinds = {
      {FrameKind::kNative, "native code", 0, 25},
      {FrameKind::kJvm, "JVM (libjvm)", 45, 60},
      {FrameKind::kJava, "JIT Java", 95, 130},
      {FrameKind::kJavaInlined, "inlined Java", 180, 205},
      {FrameKind::kJavaInterpreted, "interpreted Java", 70, 95},
      {FrameKind::kJvmGenerated, "JVM-generated (interpreter, stubs)", 20, 35},
      {FrameKind::kUnknown, "unknown", 0, 360},
  };
  std::vector<Stack> stacks;
  for (const auto& k : kinds) {
    for (int i = 0; i < 5; ++i) {
      stacks.push_back(stack({{std::string(frame_kind_name(k.kind)) + "_" + std::to_string(i), k.kind}}, 1000));
    }
  }
  Rendered r = render(stacks);
  std::map<FrameKind, std::vector<Hsl>> colours;
  for (const auto& k : kinds) {
    for (int i = 0; i < 5; ++i) {
      Hsl c = hsl_of(only(r, std::string(frame_kind_name(k.kind)) + "_" + std::to_string(i)).fill);
      colours[k.kind].push_back(c);
      if (k.kind == FrameKind::kUnknown) {
        EXPECT_LT(c.s, 0.05);
      } else {
        EXPECT_GE(c.h, k.hue_low - 0.6) << frame_kind_name(k.kind);
        EXPECT_LE(c.h, k.hue_high + 0.6) << frame_kind_name(k.kind);
        EXPECT_GT(c.s, 0.4);
      }
    }
  }
  // Brown (JVM-generated) is told from orange-red native code by being darker and
  // duller; interpreted Java from JIT Java by being paler.
  for (const Hsl& native : colours[FrameKind::kNative]) {
    for (const Hsl& generated : colours[FrameKind::kJvmGenerated]) {
      EXPECT_GT(native.l - generated.l, 0.1);
      EXPECT_GT(native.s - generated.s, 0.2);
    }
  }
  for (const Hsl& jit : colours[FrameKind::kJava]) {
    for (const Hsl& interpreted : colours[FrameKind::kJavaInterpreted]) EXPECT_GT(interpreted.l - jit.l, 0.15);
  }
  std::string legend = legend_text(r);
  for (const auto& k : kinds) EXPECT_NE(legend.find(k.legend), std::string::npos) << k.legend;

  // Only the kinds drawn are in the legend.
  Rendered native_only = render({stack({{"main", N}}, 10)});
  EXPECT_NE(legend_text(native_only).find("native code"), std::string::npos);
  EXPECT_EQ(legend_text(native_only).find("Java"), std::string::npos);
}

TEST(FlamegraphSvg, DiffColoursGrowthRedShrinkGreenNewBlueAndCountsTheGone) {
  Rendered r = render(
      {
          stack({{"main", N}, {"grow", N}}, 1000, 10, 200, 2),
          stack({{"main", N}, {"grow_little", N}}, 500, 5, 450, 4),
          stack({{"main", N}, {"shrink", N}}, 100, 1, 600, 6),
          stack({{"main", N}, {"fresh", N}, {"fresh_callee", N}}, 300, 3, 0, 0),
          stack({{"main", N}, {"gone", N}}, 0, 0, 400, 4),
          stack({{"main", N}, {"same", N}}, 200, 2, 200, 2),
      },
      options(true));
  ASSERT_FALSE(r.frames.empty());
  EXPECT_DOUBLE_EQ(r.frames[0].bytes, 2100);
  EXPECT_NEAR(only(r, "grow").width, 1000.0 / 2100 * kPlotWidth, 0.011);

  Hsl grow = hsl_of(only(r, "grow").fill), little = hsl_of(only(r, "grow_little").fill);
  EXPECT_TRUE(grow.h < 15 || grow.h > 345) << grow.h;
  EXPECT_GT(grow.s, 0.5);
  EXPECT_LT(grow.l, little.l - 0.2);  // the larger growth is the deeper red
  EXPECT_TRUE(little.h < 15 || little.h > 345);
  EXPECT_NE(only(r, "grow").title.find("baseline 200 B (2 samples), delta +800 B (+400.0%)"), std::string::npos)
      << only(r, "grow").title;

  Hsl shrink = hsl_of(only(r, "shrink").fill);
  EXPECT_GT(shrink.h, 90);
  EXPECT_LT(shrink.h, 160);
  EXPECT_NE(only(r, "shrink").title.find("delta -500 B (-83.3%)"), std::string::npos) << only(r, "shrink").title;

  for (const char* name : {"fresh", "fresh_callee"}) {
    const Frame& f = only(r, name);
    EXPECT_NE(f.klass.find("new"), std::string::npos) << name;
    Hsl c = hsl_of(f.fill);
    EXPECT_GT(c.h, 200);
    EXPECT_LT(c.h, 240);
    EXPECT_NE(f.title.find("new: not in the baseline"), std::string::npos);
  }
  EXPECT_EQ(only(r, "grow").klass.find("new"), std::string::npos);

  Hsl same = hsl_of(only(r, "same").fill);
  EXPECT_LT(same.s, 0.05);
  EXPECT_GT(same.l, 0.85);

  EXPECT_TRUE(named(r, "gone").empty());
  EXPECT_NE(only(r, "main").title.find("gone since the baseline (not drawn): 1 callee, 400 B in the baseline"),
            std::string::npos)
      << only(r, "main").title;

  std::string legend = legend_text(r);
  for (const char* word : {"growth", "shrink", "new (not in the baseline)", "unchanged", "gone"}) {
    EXPECT_NE(legend.find(word), std::string::npos) << word;
  }
}

TEST(FlamegraphSvg, DiffIntensityIsRelativeToTheLargestChange) {
  // Doubling every change leaves every colour as it was.
  auto make = [](double scale) {
    return render({stack({{"a", N}}, 100 * scale, 1, 50 * scale), stack({{"b", N}}, 40 * scale, 1, 90 * scale)},
                  options(true));
  };
  Rendered one = make(1), two = make(2);
  EXPECT_EQ(only(one, "a").fill, only(two, "a").fill);
  EXPECT_EQ(only(one, "b").fill, only(two, "b").fill);
}

TEST(FlamegraphSvg, SameStacksInAnyOrderGiveTheSameBytes) {
  auto stacks = random_stacks(300, 11);
  for (auto& s : stacks) {
    s.baseline_bytes = s.bytes * 0.5;
    s.frames.back().detail = "x.cpp:" + std::to_string(static_cast<int>(s.bytes) % 7);
  }
  for (bool diff : {false, true}) {
    std::string first = render_flamegraph_svg(profile(stacks), options(diff));
    EXPECT_EQ(first, render_flamegraph_svg(profile(stacks), options(diff)));
    auto shuffled = stacks;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
    EXPECT_EQ(first, render_flamegraph_svg(profile(shuffled), options(diff)));
  }
}

// The command hands the renderer each distinct frame once; the tests, one per use.
// Both give the same picture, and so does a table whose order is shuffled.
TEST(FlamegraphSvg, HowTheFramesAreNumberedDoesNotChangeThePicture) {
  auto stacks = random_stacks(300, 13);
  for (auto& s : stacks) {
    s.baseline_bytes = s.bytes * 0.25;
    for (auto& f : s.frames) f.detail = f.name + ".cpp:" + std::to_string(s.frames.size() % 3);
  }
  FlameProfile per_use = profile(stacks);
  // Each distinct frame once, numbered in a shuffled order.
  std::vector<FlameFrame> distinct;
  for (const FlameFrame& f : per_use.frames) {
    auto same = [&](const FlameFrame& g) { return g.name == f.name && g.kind == f.kind && g.detail == f.detail; };
    if (std::find_if(distinct.begin(), distinct.end(), same) == distinct.end()) distinct.push_back(f);
  }
  std::shuffle(distinct.begin(), distinct.end(), std::mt19937(5));
  FlameProfile once;
  once.frames = distinct;
  for (const FlameStack& s : per_use.stacks) {
    FlameStack t = s;
    for (uint32_t& i : t.frames) {
      const FlameFrame& f = per_use.frames[i];
      i = static_cast<uint32_t>(std::find_if(distinct.begin(), distinct.end(), [&](const FlameFrame& g) {
                                  return g.name == f.name && g.kind == f.kind && g.detail == f.detail;
                                }) - distinct.begin());
    }
    once.stacks.push_back(t);
  }
  ASSERT_LT(once.frames.size(), per_use.frames.size() / 10);
  for (bool diff : {false, true}) {
    EXPECT_EQ(render_flamegraph_svg(per_use, options(diff)), render_flamegraph_svg(once, options(diff)));
  }
}

TEST(FlamegraphSvg, AFrameIndexPastTheTableIsRefused) {
  FlameProfile p = profile({stack({{"main", N}}, 100)});
  p.stacks[0].frames.push_back(1);
  EXPECT_THROW(render_flamegraph_svg(p, options(false)), std::invalid_argument);
}

// A tooltip names the first of a frame's distinct locations and counts the others,
// however often each was seen.
TEST(FlamegraphSvg, ATooltipCountsDistinctLocations) {
  std::vector<Stack> stacks;
  for (const char* line : {"b.cpp:7", "a.cpp:9", "b.cpp:7", "a.cpp:9", "c.cpp:1"}) {
    Stack s = stack({{"main", N}, {"work", N}}, 100);
    s.frames[1].detail = line;
    stacks.push_back(s);
  }
  Stack alone = stack({{"main", N}, {"idle", N}}, 100);
  alone.frames[1].detail = "z.cpp:3";
  stacks.push_back(alone);
  stacks.push_back(alone);
  Rendered r = render(stacks);
  EXPECT_NE(only(r, "work").title.find("a.cpp:9 (and 2 other locations)"), std::string::npos) << only(r, "work").title;
  EXPECT_NE(only(r, "idle").title.find("z.cpp:3\n"), std::string::npos) << only(r, "idle").title;
}

TEST(FlamegraphSvg, IsSelfContainedAndCarriesItsControls) {
  Rendered r = render(random_stacks(50, 5));
  ASSERT_TRUE(r.root);
  size_t at = 0;
  int http = 0;
  while ((at = r.svg.find("http", at)) != std::string::npos) ++http, ++at;
  EXPECT_EQ(http, 1);  // the SVG namespace, nothing fetched
  EXPECT_NE(r.svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  for (const char* outside : {"href", "@import", "@font-face", "url(http", "src="}) {
    EXPECT_EQ(r.svg.find(outside), std::string::npos) << outside;
  }
  for (const char* id : {"frames", "unzoom", "search", "matched", "details-name", "details-info", "legend"}) {
    EXPECT_TRUE(r.root->find_id(id)) << id;
  }
  EXPECT_TRUE(r.root->child("style"));
  ASSERT_TRUE(r.root->child("script"));
  EXPECT_NE(r.root->child("script")->text.find("function zoom"), std::string::npos);
  EXPECT_NE(r.root->find_id("unzoom")->attr("class").find("hidden"), std::string::npos);
}

TEST(FlamegraphSvg, LabelsAreCutToFitTheirBox) {
  std::string long_name = "std::_Rb_tree<int, std::pair<int const, std::__cxx11::basic_string<char>>>::_M_emplace";
  std::string wide_name = "Grüße日本語";
  for (int i = 0; i < 6; ++i) wide_name += wide_name;
  Rendered r = render({stack({{long_name, N}}, 100), stack({{wide_name, N}}, 300), stack({{"zz_narrow", N}}, 2),
                       stack({{"zz_small", N}}, 8)});
  auto code_points = [](const std::string& s) {
    return std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) >> 6) != 2; });
  };
  for (const std::string* name : {&long_name, &wide_name}) {
    const Frame& f = only(r, *name);
    ASSERT_GE(f.label.size(), 3u);
    EXPECT_EQ(f.label.substr(f.label.size() - 2), "..");
    EXPECT_LE(code_points(f.label) * 7.3, f.width);
    EXPECT_EQ(name->compare(0, f.label.size() - 2, f.label, 0, f.label.size() - 2), 0);
  }
  EXPECT_EQ(only(r, "zz_narrow").label, "");  // 2 B of 410: under one character wide
  EXPECT_EQ(only(r, "zz_small").label, "");   // 8 B of 410: 2 characters; a label needs 3
  EXPECT_EQ(only(r, "all").label, "all");
}

TEST(FlamegraphSvg, NegativeAndNonFiniteBytesCountAsNothing) {
  Rendered r = render({stack({{"main", N}, {"ok", N}}, 64), stack({{"main", N}, {"neg", N}}, -1e9),
                       stack({{"main", N}, {"nan", N}}, std::numeric_limits<double>::quiet_NaN()),
                       stack({{"main", N}, {"inf", N}}, std::numeric_limits<double>::infinity())});
  EXPECT_DOUBLE_EQ(r.frames.at(0).bytes, 64);
  EXPECT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.svg.find("nan\""), std::string::npos);
}

TEST(FlamegraphSvg, AStackWithoutFramesIsTheRootsOwn) {
  Rendered r = render({stack({}, 100), stack({{"main", N}}, 300)});
  EXPECT_DOUBLE_EQ(r.frames.at(0).bytes, 400);
  EXPECT_NEAR(only(r, "main").width, 0.75 * kPlotWidth, 0.011);
  EXPECT_NE(r.frames[0].title.find("self: 100 B"), std::string::npos) << r.frames[0].title;
}

TEST(FlamegraphSvg, ThousandsOfFramesStayReasonable) {
  std::vector<Stack> stacks;
  std::mt19937 rng(1);
  for (int i = 0; i < 3000; ++i) {
    Stack s;
    for (int d = 0; d < 12; ++d) {
      s.frames.push_back({"ns::Class" + std::to_string(rng() % (d + 3)) + "<T" + std::to_string(d) + ">::method",
                          FrameKind::kNative, "src/file.cpp:" + std::to_string(d) + " (libapp.so)"});
    }
    s.bytes = 1 << (rng() % 16);
    stacks.push_back(std::move(s));
  }
  Rendered r = render(stacks);
  ASSERT_TRUE(r.root);
  EXPECT_GT(r.frames.size(), 1000u);
  EXPECT_LT(r.svg.size(), r.frames.size() * 700 + 20000);
}

}  // namespace
}  // namespace heapdrift
