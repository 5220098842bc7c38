#include "leaks_output.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <unordered_map>

#include "site_note.h"
#include "units.h"

namespace heapdrift {
namespace {

// From the first snapshot to the last of the first `count`.
double duration_s(const ProcessHistory& h, size_t count = SIZE_MAX) {
  const auto& t = h.timeline.snapshot_ns;
  const size_t n = std::min(count, t.size());
  return n < 2 ? 0.0 : double(t[n - 1] - t.front()) / 1e9;
}

// The evidence: z and the one-sided chance that noise alone grew this much.
std::string evidence(double z) {
  char buf[48];
  double p = 1 - confidence(z);
  if (p < 1e-12) std::snprintf(buf, sizeof(buf), "z %.1f, p < 1e-12", z);
  else std::snprintf(buf, sizeof(buf), "z %.1f, p = %.1g", z, p);
  return buf;
}

// What the shim could not keep whole because it reached a cap (docs/FORMAT.md,
// "Counters"). The counts run from the shim's start: the latest snapshot has them all.
struct CapDrops {
  uint64_t sampled = 0, lost = 0, stackless = 0;
};

CapDrops cap_drops(const ProcessHistory& h) {
  if (h.snapshots.empty()) return {};
  const KeyValues& c = h.snapshots.back().counters;
  auto get = [&c](const char* key) { return uint64_t(value_or_zero(c, key)); };
  return {get("sampled_allocs"), get("dropped_samples"), get("dropped_stacks")};
}

std::optional<std::string> caps_note(const CapDrops& d) {
  if (!d.lost && !d.stackless) return std::nullopt;
  std::string note = "the shim reached a cap:";
  if (d.stackless) {
    note += " " + std::to_string(d.stackless) + " of the " + std::to_string(d.sampled) +
            " samples taken have no stack, the stack depot being full. They are the site \"(no stack)\", and the "
            "sites they came from are short by them. Code compiled again and again (a JIT's) brings new stacks; "
            "HEAPDRIFT_MAX_STACKS in record's environment raises the cap.";
  }
  if (d.lost) {
    note += " " + std::to_string(d.lost) +
            " samples were not kept, and the estimates are short by them: the live table was full "
            "(HEAPDRIFT_MAX_LIVE_SAMPLES raises the cap), or a thread's stack had no room left for the walk.";
  }
  return note;
}

void print_stack(std::FILE* out, const std::vector<FrameId>& all, const FrameTable& frames) {
  const size_t shown = 12;
  std::vector<FrameId> ids(all.begin(), all.begin() + long(std::min(all.size(), shown)));
  size_t name_width = 0, loc_width = 0;
  for (FrameId id : ids) {
    name_width = std::max(name_width, frames[id].function.size());
    loc_width = std::max(loc_width, source_location(frames[id]).size());
  }
  name_width = std::min<size_t>(name_width, 70);
  bool first = true;
  for (FrameId id : ids) {
    const Frame& f = frames[id];
    std::string name = f.function.size() > 70 ? f.function.substr(0, 67) + "..." : f.function;
    std::fprintf(out, "      %s %-*s  %-*s  %s%s\n", first ? "at" : "  ", int(name_width), name.c_str(),
                 int(loc_width), source_location(f).c_str(),
                 f.module.empty() ? std::string(frame_kind_name(f.kind)).c_str() : module_name(f).c_str(),
                 f.inlined && !f.module.empty() ? " (inlined)" : "");
    first = false;
  }
  if (all.size() > shown) std::fprintf(out, "         ... %zu more frames (--json has them all)\n", all.size() - shown);
}

// A site's (or a caller's) note, under its verdict.
void print_note(std::FILE* out, const std::optional<std::string>& note) {
  if (note) std::fprintf(out, "%s", fold_text(*note, "      note: ", "            ").c_str());
}

// What the text says of a site that grew and was not judged a leak.
std::string growth_note(const GrowingSite& g) {
  std::string note = "live " + format_bytes(g.first) + " -> " + format_bytes(g.last);
  if (g.peak > 1.25 * g.last) note += " (" + format_bytes(g.peak) + " at its peak)";
  if (g.blocks > 0 && g.blocks <= 3 && g.large_blocks == g.blocks) {
    note += ", in " + std::to_string(g.blocks) + (g.blocks == 1 ? " block" : " blocks") +
            " at the end: one structure grown by reallocation (realloc, std::vector, std::string) looks so, "
            "and the test cannot tell it from one that has reached its working size; record longer, or "
            "compare snapshots with heapdrift diff (test: " + g.reason + ")";
  } else {
    note += ": " + g.reason;
  }
  return note;
}

void print_growing(std::FILE* out, const ProcessLeaks& p, const FrameTable& frames) {
  if (p.growing.empty()) return;
  std::fprintf(out, "\n  Grew, but not judged a leak:\n");
  for (size_t i = 0; i < std::min(p.growing.size(), ProcessLeaks::kMaxGrowing); ++i) {
    const GrowingSite& g = p.growing[i];
    std::string name = site_name(p.history.sites[g.site].frames, frames);
    // A JIT that recompiles the caller changes the stack, not the site's name: the same
    // leak, its samples from before (as report merges them).
    for (size_t k = 0; k < p.suspects.size(); ++k) {
      if (site_name(p.history.sites[p.suspects[k].site].frames, frames) == name) {
        name += "  (another call path of #" + std::to_string(k + 1) + ")";
        break;
      }
    }
    std::fprintf(out, "\n    %s\n%s", name.c_str(), fold_text(growth_note(g), "      ", "      ").c_str());
    print_note(out, site_note(p.history.sites[g.site].frames, frames));
  }
}

constexpr const char* kCodeGrowthNote =
    "HotSpot keeps a method's replaced code until its sweeper or class unloading frees it: a method compiled "
    "without end (its native entry re-registered by RegisterNatives, as some profilers' lock tracing does each "
    "time it starts; code deoptimized again and again) fills the code cache, outside malloc. Versions in as many "
    "copies of their class are a class loaded again and again under one name, each copy's code compiled anew: "
    "class loaders kept (jcmd PID VM.classloader_stats), and Metaspace grows with them. `jcmd PID "
    "Compiler.codelist` lists the versions.";

// One line a method, but one for all the methods of a class loaded again and again (in
// more than one copy): the class is what grows, and its methods would each say the same.
void print_code_growth(std::FILE* out, const ProcessLeaks& p, size_t top) {
  if (p.code_growth.empty()) return;
  std::vector<std::vector<const CodeGrowth*>> lines;  // the methods of each
  std::unordered_map<std::string, size_t> class_line;  // a class in copies -> its line
  for (const CodeGrowth& c : p.code_growth) {
    if (c.class_copies_last > 1) {
      const std::string cls = c.function.substr(0, c.function.rfind('.'));
      auto [it, added] = class_line.emplace(cls, lines.size());
      if (!added) {
        lines[it->second].push_back(&c);
        continue;
      }
    }
    lines.push_back({&c});
  }
  std::fprintf(out, "\n  Compiled code that keeps growing (the JIT's code cache):\n");
  for (size_t i = 0; i < std::min(lines.size(), top); ++i) {
    const std::vector<const CodeGrowth*>& m = lines[i];
    const CodeGrowth& c = *m.front();
    if (m.size() == 1) {
      const std::string copies =
          c.class_copies_last > 1 ? " in " + std::to_string(c.class_copies_last) + " copies of its class" : "";
      std::fprintf(out, "    %s%s  %u versions alive%s (+%u over the run), %s of code\n", c.function.c_str(),
                   c.signature.c_str(), c.versions_last, copies.c_str(), c.versions_last - c.versions_first,
                   format_bytes(double(c.code_bytes_last)).c_str());
      continue;
    }
    uint64_t versions = 0, growth = 0, bytes = 0;
    uint32_t copies = 0;
    for (const CodeGrowth* g : m) {
      versions += g->versions_last, growth += g->versions_last - g->versions_first, bytes += g->code_bytes_last;
      copies = std::max(copies, g->class_copies_last);
    }
    std::fprintf(out, "    %s  in %u copies of the class: %zu of its methods, %llu versions alive (+%llu over the run), "
                 "%s of code\n",
                 c.function.substr(0, c.function.rfind('.')).c_str(), copies, m.size(), (unsigned long long)versions,
                 (unsigned long long)growth, format_bytes(double(bytes)).c_str());
  }
  if (lines.size() > top) std::fprintf(out, "    ... %zu more (--top)\n", lines.size() - top);
  std::fprintf(out, "%s", fold_text(kCodeGrowthNote, "    note: ", "          ").c_str());
}

// How a leaking site (or group of sites) grew, in two or three lines.
void print_verdict(std::FILE* out, const Verdict& v, size_t judged_snapshots) {
  std::string growth = (v.growth >= 0 ? "+" : "") + format_bytes(v.growth);
  std::fprintf(out, "      grows %s, %s over the run (%s)\n", format_rate(v.slope).c_str(), growth.c_str(),
               evidence(v.window.z).c_str());
  const size_t last = judged_snapshots - 1;
  std::fprintf(out, "      live %s -> %s (+/- %s), allocated over the run [%s]\n", format_bytes(v.live.front()).c_str(),
               format_bytes(v.live[last]).c_str(), format_bytes(2 * std::sqrt(v.live_variance[last])).c_str(),
               sparkline(v.age_histogram).c_str());
  // What the teardown freed, when it freed a quarter of it or more.
  if (last + 1 < v.live.size() && v.live.back() < 0.75 * v.live[last]) {
    std::fprintf(out, "      %s live in the exit snapshot, after the program's teardown (left out of the test)\n",
                 format_bytes(v.live.back()).c_str());
  }
}

// The note of the first of a caller's sites that has one.
std::optional<std::string> caller_note(const ProcessLeaks& p, const CallerLeak& c, const FrameTable& frames) {
  for (size_t site : c.sites) {
    if (auto note = site_note(p.history.sites[site].frames, frames)) return note;
  }
  return std::nullopt;
}

// Numbered after the suspects: the caller, its verdict, then its largest sites.
void print_caller_leaks(std::FILE* out, const ProcessLeaks& p, const FrameTable& frames, size_t top) {
  if (p.caller_leaks.empty()) return;
  const ProcessHistory& h = p.history;
  std::fprintf(out, "\n  Leaking over several sites of one caller (no site leaks enough on its own):\n");
  size_t shown = 0, number = std::min(p.suspects.size(), top);
  for (const CallerLeak& c : p.caller_leaks) {
    if (shown++ == top) {
      std::fprintf(out, "\n  ... %zu more (--top)\n", p.caller_leaks.size() - top);
      break;
    }
    const Frame& caller = frames[c.caller];
    std::string where = source_location(caller);
    std::fprintf(out, "\n  #%zu %s%s  (%zu sites)\n", ++number, caller.function.c_str(),
                 where.empty() ? "" : ("  " + where).c_str(), c.sites.size());
    print_verdict(out, c.verdict, p.judged_snapshots);
    print_note(out, caller_note(p, c, frames));
    // By innermost frame: sites that differ further out read the same here.
    struct Row {
      std::string name;
      double growth = 0;
      size_t paths = 0;
    };
    std::vector<Row> rows;
    for (size_t i = 0; i < c.sites.size(); ++i) {
      const std::vector<FrameId>& site = h.sites[c.sites[i]].frames;
      std::string name = frames[site.front()].function;  // a site with a caller has frames
      if (std::string where = source_location(frames[site.front()]); !where.empty()) name += "  " + where;
      auto row = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.name == name; });
      if (row == rows.end()) row = rows.insert(rows.end(), {name});
      row->growth += c.growth[i], row->paths += 1;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.growth > b.growth; });
    const size_t listed = std::min<size_t>(rows.size(), 6);
    for (size_t i = 0; i < listed; ++i) {
      const Row& r = rows[i];
      std::string paths = r.paths > 1 ? "  (" + std::to_string(r.paths) + " call paths)" : "";
      std::fprintf(out, "      %s %10s  %s%s\n", i == 0 ? "in" : "  ",
                   ((r.growth >= 0 ? "+" : "") + format_bytes(r.growth)).c_str(), r.name.c_str(), paths.c_str());
    }
    if (rows.size() > listed) {
      std::fprintf(out, "         ... %zu more (--json has every site)\n", rows.size() - listed);
    }
  }
}

void print_process(std::FILE* out, const ProcessLeaks& p, const FrameTable& frames, size_t top) {
  const ProcessHistory& h = p.history;
  std::fprintf(out, "process %u: %s\n", h.pid, format_command(h.command).c_str());
  if (h.snapshots.empty()) {
    std::fprintf(out, "  wrote no snapshot (it exec'd, was killed or exited through _exit, as Go programs do, "
                      "before its first)\n");
    return;
  }
  std::string callers;
  if (!p.caller_leaks.empty()) {
    callers = ", and " + std::to_string(p.caller_leaks.size()) +
              (p.caller_leaks.size() == 1 ? " caller whose sites leak" : " callers whose sites leak") + " together";
  }
  std::fprintf(out, "  %zu %s over %s, sampling %s; %zu allocation %s, %zu leaking%s\n", h.snapshots.size(),
               h.snapshots.size() == 1 ? "snapshot" : "snapshots", format_seconds(duration_s(h)).c_str(),
               h.sample_rate == 1 ? "every allocation" : ("every " + format_bytes(double(h.sample_rate))).c_str(),
               h.sites.size(), h.sites.size() == 1 ? "site" : "sites", p.suspects.size(), callers.c_str());
  if (h.skipped_before_exec) {
    std::fprintf(out, "  (%zu earlier %s of the program this process ran before an exec)\n",
                 h.skipped_before_exec, h.skipped_before_exec == 1 ? "snapshot was" : "snapshots were");
  }
  if (h.frame_pointers_only) {
    std::fprintf(out, "\n%s", fold_text(kFramePointersOnlyNote, "  note: ", "        ").c_str());
  }
  if (p.memory.note) std::fprintf(out, "\n%s", fold_text(*p.memory.note, "  note: ", "        ").c_str());
  if (auto caps = caps_note(cap_drops(h))) std::fprintf(out, "\n%s", fold_text(*caps, "  note: ", "        ").c_str());
  if (p.suspects.empty() && p.caller_leaks.empty()) {
    if (p.memory.saw_no_allocation) {
      std::fprintf(out, "\n  No verdict: the shim saw no allocation of the program's.\n");
    } else if (h.snapshots.size() < 3) {
      std::fprintf(out, "\n  No verdict: the leak test needs at least 3 snapshots (use heapdrift diff for 2).\n");
    } else {
      // Growth is judged in events: a block of the sampling interval or more is one
      // sample, so larger blocks need as many of them as small blocks need samples.
      const std::string run = std::to_string(p.judged_snapshots) + " snapshots and " +
                              format_seconds(duration_s(h, p.judged_snapshots));
      if (h.sample_rate > 1) {
        std::fprintf(out, "\n  No leaking site found. Detection floor: a steady leak of about %s or more in\n"
                          "  blocks under %s, or of some 16 larger blocks in the late half of the run, would have\n"
                          "  been found with this sampling rate, %s.\n",
                     format_rate(p.detection_floor).c_str(), format_bytes(double(h.sample_rate)).c_str(), run.c_str());
      } else {
        std::fprintf(out, "\n  No leaking site found. Detection floor: a steady leak of 16 blocks or more in the\n"
                          "  late half of the run would have been found with every allocation recorded, %s.\n",
                     run.c_str());
      }
    }
    print_growing(out, p, frames);
    print_code_growth(out, p, top);
    return;
  }
  size_t shown = 0;
  for (const Suspect& s : p.suspects) {
    if (shown++ == top) {
      std::fprintf(out, "\n  ... %zu more (--top)\n", p.suspects.size() - top);
      break;
    }
    const SiteHistory& site = h.sites[s.site];
    std::fprintf(out, "\n  #%zu %s\n", shown, site_name(site.frames, frames).c_str());
    print_verdict(out, s.verdict, p.judged_snapshots);
    print_note(out, site_note(site.frames, frames));
    print_stack(out, site.frames, frames);
  }
  print_caller_leaks(out, p, frames, top);
  print_growing(out, p, frames);
  print_code_growth(out, p, top);
}

// A child with nothing to show but "No verdict": a script's recording holds one for
// every short command it ran (hundreds of `ls`, `sed`, `cc1`), which would bury the
// one program that leaks. The text counts them by program; the JSON has each. So are
// the children whose malloc is their own (a browser's processes, say), told why once.
bool too_short_to_judge(const ProcessLeaks& p) {
  return p.history.snapshots.size() < 3 && p.suspects.empty() && p.caller_leaks.empty() && p.growing.empty() &&
         !p.memory.note && p.code_growth.empty();
}

// `heading` is printf'd with the count, "process"/"processes" and "it"/"each".
void print_by_program(std::FILE* out, const std::vector<const ProcessLeaks*>& group, const char* heading) {
  if (group.empty()) return;
  struct Program {
    std::string first_command;
    bool one_command = true;
    size_t processes = 0;
  };
  std::vector<std::pair<std::string, Program>> programs;  // in order of first appearance
  std::unordered_map<std::string, size_t> index;
  for (const ProcessLeaks* p : group) {
    const std::string& command = p->history.command;
    auto [it, added] = index.emplace(command.substr(0, command.find(' ')), programs.size());
    if (added) programs.push_back({it->first, {command}});
    Program& program = programs[it->second].second;
    program.one_command &= command == program.first_command;
    ++program.processes;
  }
  std::stable_sort(programs.begin(), programs.end(),
                   [](const auto& a, const auto& b) { return a.second.processes > b.second.processes; });
  std::fprintf(out, heading, group.size(), group.size() == 1 ? "process" : "processes",
               group.size() == 1 ? "it" : "each");
  const size_t shown = std::min<size_t>(programs.size(), 10);
  for (size_t i = 0; i < shown; ++i) {
    const auto& [name, program] = programs[i];
    std::string what = program.one_command ? format_command(program.first_command, 100)
                                           : format_command(name, 60) + " (" +
                                                 format_command(program.first_command, 60) + ", \u2026)";
    std::fprintf(out, "  %6zu  %s\n", program.processes, what.c_str());
  }
  if (programs.size() > shown) std::fprintf(out, "     ... %zu more programs\n", programs.size() - shown);
}

}  // namespace

double confidence(double z) { return std::isinf(z) ? 1.0 : 1.0 - 0.5 * std::erfc(z / std::sqrt(2.0)); }

std::string sparkline(const std::vector<double>& values) {
  static const char* levels[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
  double top = 0;
  for (double v : values) top = std::max(top, v);
  std::string line;
  for (double v : values) line += v <= 0 || top <= 0 ? " " : levels[std::min(7, int(v / top * 7.999))];
  return line;
}

nlohmann::ordered_json frame_json(const Frame& f) {
  nlohmann::ordered_json j = {{"function", f.function}, {"kind", frame_kind_name(f.kind)}};
  if (f.signature != f.function) j["signature"] = f.signature;
  if (!f.file.empty()) j["file"] = std::filesystem::path(f.file).filename().string(), j["path"] = f.file;
  if (f.line) j["line"] = f.line;
  if (!f.module.empty()) j["module"] = module_name(f), j["module_path"] = f.module;
  if (f.inlined) j["inlined"] = true;
  return j;
}

void print_leaks(std::FILE* out, const std::vector<ProcessLeaks>& processes, const FrameTable& frames, size_t top) {
  std::vector<const ProcessLeaks*> unjudged, unseen;
  for (size_t i = 0; i < processes.size(); ++i) {
    if (i == 1) std::fprintf(out, "\nchildren of process %u:\n", processes[0].history.pid);
    if (i > 0 && processes[i].memory.saw_no_allocation) {
      unseen.push_back(&processes[i]);
      continue;
    }
    if (i > 0 && too_short_to_judge(processes[i])) {
      unjudged.push_back(&processes[i]);
      continue;
    }
    if (i > 0) std::fprintf(out, "\n");
    print_process(out, processes[i], frames, top);
  }
  print_by_program(out, unjudged,
                   "\n%zu %s too short-lived to judge (fewer than 3 snapshots each; --json lists %s), by program:\n");
  if (!unseen.empty()) {
    print_by_program(out, unseen, "\n%zu %s not seen by the shim, the program's malloc being its own (--json lists "
                                  "%s), by program:\n");
    std::fprintf(out, "%s", fold_text(*unseen.front()->memory.note, "  note: ", "        ").c_str());
  }
}

namespace {

nlohmann::ordered_json process_json(const ProcessLeaks& p, const FrameTable& frames, size_t top) {
  const ProcessHistory& h = p.history;
  auto stack_of = [&](size_t site) {
    nlohmann::ordered_json stack = nlohmann::ordered_json::array();
    for (FrameId id : h.sites[site].frames) stack.push_back(frame_json(frames[id]));
    return stack;
  };
  nlohmann::ordered_json suspects = nlohmann::ordered_json::array();
  for (const Suspect& s : p.suspects) {
    if (suspects.size() == top) break;
    const Verdict& v = s.verdict;
    suspects.push_back({
        {"growth_bytes", std::llround(v.growth)},
        {"slope_bytes_per_second", v.slope},
        {"window_growth_bytes", std::llround(v.window.growth)},
        {"z", std::isinf(v.window.z) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v.window.z)},
        {"confidence", confidence(v.window.z)},
        {"retention", v.window.retention},
        {"live_bytes", v.live},
        {"live_bytes_stddev", [&] {
           std::vector<double> sd;
           for (double var : v.live_variance) sd.push_back(std::sqrt(var));
           return sd;
         }()},
        {"age_histogram_bytes", v.age_histogram},
        {"frames", stack_of(s.site)},
    });
    if (auto note = site_note(h.sites[s.site].frames, frames)) suspects.back()["note"] = *note;
  }
  nlohmann::ordered_json callers = nlohmann::ordered_json::array();
  for (const CallerLeak& c : p.caller_leaks) {
    if (callers.size() == top) break;
    const Verdict& v = c.verdict;
    nlohmann::ordered_json sites = nlohmann::ordered_json::array();
    for (size_t i = 0; i < c.sites.size(); ++i) {
      sites.push_back({{"growth_bytes", std::llround(c.growth[i])}, {"frames", stack_of(c.sites[i])}});
    }
    callers.push_back({
        {"caller", frame_json(frames[c.caller])},
        {"growth_bytes", std::llround(v.growth)},
        {"slope_bytes_per_second", v.slope},
        {"z", std::isinf(v.window.z) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v.window.z)},
        {"confidence", confidence(v.window.z)},
        {"live_bytes", v.live},
        {"sites", sites},
    });
    if (auto note = caller_note(p, c, frames)) callers.back()["note"] = *note;
  }
  nlohmann::ordered_json j = {
      {"pid", h.pid},
      {"command", h.command},
      {"snapshots", h.snapshots.size()},
      {"judged_snapshots", p.judged_snapshots},
      {"duration_seconds", duration_s(h)},
      {"sample_rate", h.sample_rate},
      {"frame_pointers_only", h.frame_pointers_only},
      {"sites", h.sites.size()},
      {"suspects", suspects},
      {"caller_leaks", callers},
      {"detection_floor_bytes_per_second",
       std::isinf(p.detection_floor) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.detection_floor)},
      {"rss_bytes", {{"first", p.memory.rss_first}, {"last", p.memory.rss_last}}},
      {"live_heap_bytes",
       {{"first", p.memory.heap_first}, {"last", p.memory.heap_last}, {"estimated", p.memory.heap_estimated}}},
  };
  const CapDrops drops = cap_drops(h);
  j["dropped_samples"] = drops.lost;
  j["dropped_stacks"] = drops.stackless;
  if (p.memory.jvm_first && p.memory.jvm_last) {
    const JvmSpaces &a = *p.memory.jvm_first, &b = *p.memory.jvm_last;
    auto pair = [](double first, double last) { return nlohmann::ordered_json{{"first", first}, {"last", last}}; };
    j["jvm"] = nlohmann::ordered_json::object();
    if (a.counters && b.counters) {  // not with -XX:-UsePerfData
      // null: not counted yet, no GC had run.
      const bool counted = a.metaspace_committed > 0;
      j["jvm"] = {{"metaspace_committed_bytes", counted ? pair(a.metaspace_committed, b.metaspace_committed)
                                                        : nlohmann::ordered_json(nullptr)},
                  {"heap_committed_bytes", pair(a.heap_committed, b.heap_committed)},
                  {"threads", pair(a.threads, b.threads)},
                  {"classes", pair(a.classes, b.classes)}};
    }
    if (a.heap_resident && b.heap_resident) j["jvm"]["heap_resident_bytes"] = pair(*a.heap_resident, *b.heap_resident);
    if (a.heap_resident_shared && b.heap_resident_shared) {
      j["jvm"]["heap_resident_shared_bytes"] = pair(*a.heap_resident_shared, *b.heap_resident_shared);
    }
  }
  if (p.memory.jit_code_mapped_last > 0) {
    j["jit_code_mapped_bytes"] = {{"first", p.memory.jit_code_mapped_first}, {"last", p.memory.jit_code_mapped_last}};
  }
  if (const auto& code = p.memory.compiled_code) {
    j["compiled_code_bytes"] = {{"first", code->first}, {"last", code->last}};
  }
  // What the note on threads never joined reads, for a check that wants the figures.
  auto stacks = [](const ThreadStacks& s) { return nlohmann::ordered_json{{"count", s.count}, {"bytes", s.bytes}}; };
  j["thread_stacks"] = {{"first", stacks(p.memory.stacks_first)}, {"last", stacks(p.memory.stacks_last)}};
  if (p.memory.threads_first && p.memory.threads_last) {
    j["process_threads"] = {{"first", std::llround(*p.memory.threads_first)},
                            {"last", std::llround(*p.memory.threads_last)}};
  }
  nlohmann::ordered_json growing = nlohmann::ordered_json::array();
  for (size_t i = 0; i < std::min(p.growing.size(), ProcessLeaks::kMaxGrowing); ++i) {
    const GrowingSite& g = p.growing[i];
    growing.push_back({{"growth_bytes", std::llround(g.last - g.first)},
                       {"live_bytes", {{"first", g.first}, {"last", g.last}}},
                       {"blocks", g.blocks},
                       {"reason", g.reason},
                       {"frames", stack_of(g.site)}});
    if (auto note = site_note(h.sites[g.site].frames, frames)) growing.back()["note"] = *note;
  }
  j["growing_not_leaks"] = growing;
  nlohmann::ordered_json code = nlohmann::ordered_json::array();
  for (const CodeGrowth& c : p.code_growth) {
    if (code.size() == top) break;
    code.push_back({{"function", c.function},
                    {"signature", c.signature},
                    {"kind", "java"},
                    {"versions", c.versions_last},
                    {"versions_growth", c.versions_last - c.versions_first},
                    {"class_copies", c.class_copies_last > 0 ? nlohmann::ordered_json(c.class_copies_last)
                                                             : nlohmann::ordered_json(nullptr)},
                    {"code_bytes", c.code_bytes_last}});
  }
  j["code_growth"] = code;
  if (p.memory.note) j["note"] = *p.memory.note;
  return j;
}

}  // namespace

nlohmann::ordered_json leaks_json(const std::vector<ProcessLeaks>& processes, const FrameTable& frames, size_t top) {
  nlohmann::ordered_json j = process_json(processes.at(0), frames, top);
  nlohmann::ordered_json children = nlohmann::ordered_json::array();
  for (size_t i = 1; i < processes.size(); ++i) children.push_back(process_json(processes[i], frames, top));
  j["children"] = children;
  return j;
}

}  // namespace heapdrift
