// A live-heap flamegraph as one self-contained, interactive SVG, in the manner of
// Brendan Gregg's flamegraph.pl: the stacks are merged into a call tree (the same
// name and kind at the same position merge), each frame is as wide as the live bytes
// allocated beneath it, and the root ("all") is at the bottom.
//
// The SVG carries its own <style> and <script> and refers to nothing outside itself:
// click a frame to zoom into it, "Reset zoom" to go back, "Search" (or Ctrl-F) for a
// regular expression that highlights frames and reports the share of bytes matched,
// and hovering a frame shows its name and numbers on the details line (and in the
// native tooltip).
//
// Colours tell the kind of code (native red/orange, JVM yellow, JIT Java green, inlined
// Java cyan, interpreted Java pale green, JVM-generated brown, unknown grey), with a
// small lightness variation by name so neighbours stay apart. In diff mode they tell
// the change against the baseline instead: red grows, green shrinks, blue (with a
// dashed outline) is new, darker meaning a larger change relative to the largest one.
//
// What is not drawn is said in the tooltip of the parent: frames narrower than
// `min_width_fraction` of the total, and in diff mode frames that are gone (live in
// the baseline, nothing now).
//
// The output is deterministic: the same stacks give the same bytes, and so do the same
// stacks in another order (children are sorted by name; only floating-point rounding
// of non-integral byte sums could tell the orders apart).
#ifndef HEAPDRIFT_ANALYZER_FLAMEGRAPH_SVG_H
#define HEAPDRIFT_ANALYZER_FLAMEGRAPH_SVG_H

#include <cstdint>
#include <string>
#include <vector>

#include "frame_kind.h"

namespace heapdrift {

struct FlameFrame {
  std::string name;  // demangled function, Java as pkg.Class.method
  FrameKind kind = FrameKind::kUnknown;
  std::string detail;  // "file:line (module)" for the tooltip; may be empty
};

struct FlameStack {
  std::vector<uint32_t> frames;  // indices into FlameProfile::frames, outermost first
  double bytes = 0;              // live bytes now: the width
  double count = 0;              // samples now
  double baseline_bytes = 0;     // diff mode only
  double baseline_count = 0;
};

// The input: frames once each, and stacks of indices into them, so that a profile of
// 100,000 stacks 40 deep holds each distinct frame's text once. Equal frames at several
// indices merge all the same.
struct FlameProfile {
  std::vector<FlameFrame> frames;
  std::vector<FlameStack> stacks;

  // Appends a stack given frame by frame (outermost first), each frame at an index of
  // its own; the caller sets its numbers. For callers without a frame table.
  FlameStack& add(std::vector<FlameFrame> stack_frames) {
    FlameStack& s = stacks.emplace_back();
    for (FlameFrame& f : stack_frames) {
      s.frames.push_back(static_cast<uint32_t>(frames.size()));
      frames.push_back(std::move(f));
    }
    return s;
  }
};

struct FlameOptions {
  std::string title;     // "Live heap" when empty
  std::string subtitle;  // e.g. the snapshot and its time; omitted when empty
  bool diff = false;     // colour by change against the baseline instead of by kind
  double width = 1200;   // of the image, in pixels
  // Frames narrower than this share of the total are not drawn (their parent's
  // tooltip counts them), which keeps big profiles to a size a browser handles.
  double min_width_fraction = 0.001;
};

// Non-finite and negative byte counts are taken as 0; names are sanitized to valid
// UTF-8 (U+FFFD for what is not) and XML-escaped. Throws std::invalid_argument for a
// stack naming a frame index past `profile.frames`.
std::string render_flamegraph_svg(const FlameProfile& profile, const FlameOptions& options);

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_FLAMEGRAPH_SVG_H
