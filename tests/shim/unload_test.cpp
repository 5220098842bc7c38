// unload: blocks allocated by a library that dlclose unloaded stay live, and another
// library is loaded where it was (unload_program). The snapshot must keep the unloaded
// library (path, load bias, build-id), and the analyzer must name each block by the
// library that held the code when the block was allocated: A's blocks by A's
// function, B's by B's, although both ran at the same addresses.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

// The file of the snapshot a program printed as `snapshot N`.
fs::path snapshot_file(const fs::path& rec, const RunResult& r) {
  char name[32];
  snprintf(name, sizeof(name), "snap-%06u.hds", static_cast<unsigned>(ProgramOutput(r.out).number("snapshot")));
  return rec / std::to_string(r.pid) / name;
}

// Bytes per function name of the folded export ("frame;frame;... bytes").
std::map<std::string, uint64_t> bytes_by_function(const fs::path& folded, const std::vector<std::string>& names,
                                                  std::vector<std::string>* both) {
  std::map<std::string, uint64_t> bytes;
  std::ifstream in(folded);
  for (std::string line; std::getline(in, line);) {
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string frames = line.substr(0, space);
    int found = 0;
    for (const std::string& name : names) {
      if (frames.find(name) == std::string::npos) continue;
      bytes[name] += parse_number(line.substr(space + 1));
      ++found;
    }
    if (found > 1) both->push_back(line);
  }
  return bytes;
}

TEST(unload, blocks_of_an_unloaded_library_keep_its_names) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  // The point of the test: B's code at A's addresses. The loader puts B in A's hole
  // unless a page was mapped there first: in exact mode the shim's tables grow a page
  // now and then, and one grown inside dlopen(B), before B's segments, takes the top of
  // the hole (about 1 run in 15 beside a busy core). Such a run tests nothing: run again.
  RunResult r;
  for (int attempt = 0; attempt < 5; ++attempt) {
    fs::remove_all(rec);
    r = run_program({UNLOAD_PROGRAM, PLUGIN_A, PLUGIN_B}, shim_env(rec), 60, scratch.path());
    ASSERT_TRUE(r.exited_with(0)) << r.describe();
    if (ProgramOutput(r.out).number("reused") == 1) break;
  }
  ProgramOutput o(r.out);
  ASSERT_EQ(o.number("reused"), 1u) << "plugin B was not loaded where plugin A was, in 5 runs\n" << r.out;

  const fs::path dir = rec / std::to_string(r.pid);
  const heapdrift::Snapshot s = read_numbered(dir, o.number("snapshot"));
  ASSERT_EQ(s.unloaded_modules.size(), 1u);
  const heapdrift::UnloadedModule& a = s.unloaded_modules[0];
  EXPECT_EQ(fs::canonical(a.module.path), fs::canonical(PLUGIN_A));
  EXPECT_EQ(a.module.load_bias, o.number("base_a"));
  EXPECT_FALSE(a.module.build_id.empty());
  EXPECT_FALSE(a.module.segments.empty());
  EXPECT_LT(a.unloaded_mono_ns, s.process.mono_ns);
  EXPECT_EQ(counter(s, "dropped_unloaded_modules"), 0u);

  const fs::path folded = scratch.path() / "out.folded";
  RunResult e = run_program({HEAPDRIFT_BIN, "export", snapshot_file(rec, r).string(), "--format", "folded", "-o",
                             folded.string()}, {}, 60, scratch.path());
  ASSERT_TRUE(e.exited_with(0)) << e.describe();
  std::vector<std::string> both;
  auto bytes = bytes_by_function(folded, {"a_plugin_keep", "b_plugin_keep"}, &both);
  // 20 blocks of 1000..1019 bytes from each, every one sampled (exact mode).
  EXPECT_EQ(bytes["a_plugin_keep"], 20u * 1000 + 190);
  EXPECT_EQ(bytes["b_plugin_keep"], 20u * 1000 + 190);
  EXPECT_TRUE(both.empty()) << both.front();
}

// jeprof names addresses through the maps the export carries: an unloaded library's
// segments are among them where nothing was mapped since (here no B is loaded).
TEST(unload, jeprof_names_an_unloaded_library_where_nothing_came_since) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({UNLOAD_PROGRAM, PLUGIN_A, "-"}, shim_env(rec), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  const fs::path profile = scratch.path() / "out.jeprof";
  RunResult e = run_program({HEAPDRIFT_BIN, "export", snapshot_file(rec, r).string(), "--format", "jeprof", "-o",
                             profile.string()}, {}, 60, scratch.path());
  ASSERT_TRUE(e.exited_with(0)) << e.describe();
  RunResult j = run_program({"/usr/bin/jeprof", "--text", UNLOAD_PROGRAM, profile.string()}, {}, 60, scratch.path());
  ASSERT_TRUE(j.exited_with(0)) << j.describe();
  EXPECT_NE(j.out.find("% a_plugin_keep"), std::string::npos) << j.out;
}

}  // namespace
}  // namespace shimtest
