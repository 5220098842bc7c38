// JIT code of runtimes other than the JVM, named through their perf maps: the shim
// copies /tmp/perf-<pid>.map into the recording at each snapshot, and the analyzer
// names each block's JIT frames by the lines in force when it was allocated. A native
// program that plays JIT (perf_map_jit.c) and a real Node.js.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "remove_recording.h"
#include "run_command.h"

namespace {

namespace fs = std::filesystem;

using heapdrift::e2e::Result;
using heapdrift::e2e::remove_recording;
using heapdrift::e2e::run;

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

// The latest snapshot of the recording's main process.
fs::path latest_snapshot(const fs::path& dir) {
  fs::path latest;
  for (const auto& pid : fs::directory_iterator(dir)) {
    if (!pid.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(pid.path())) {
      if (f.path().extension() == ".hds" && f.path() > latest) latest = f.path();
    }
  }
  return latest;
}

TEST(PerfMapJit, CodeAtAReusedAddressIsNamedByWhatWasThereAtAllocation) {
  const fs::path dir = scratch("perf-map-jit");
  const std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --sample-rate 1 --interval 250ms -- " + PERF_MAP_JIT).status,
            0);
  // The program removed its map before it ended: the recording has its own copy.
  const fs::path snapshot = latest_snapshot(dir);
  const fs::path folded = dir / "live.folded";
  ASSERT_EQ(run(heapdrift + " export " + snapshot.string() + " --format folded -o " + folded.string()).status, 0);
  std::ifstream in(folded);
  std::map<std::string, uint64_t> bytes;  // by the JIT frame's name
  for (std::string line; std::getline(in, line);) {
    size_t blank = line.rfind(' ');
    for (const char* name : {"alphaLeak_[j]", "betaLeak_[j]"}) {
      if (line.find(std::string(";") + name + ";") != std::string::npos) bytes[name] += std::stoull(line.substr(blank + 1));
    }
  }
  // Exact mode: 100 and 50 blocks of 64 KiB.
  EXPECT_EQ(bytes["alphaLeak_[j]"], 100u << 16);
  EXPECT_EQ(bytes["betaLeak_[j]"], 50u << 16);

  // diff reads the first and the latest snapshot as one process's history.
  Result diff = run(heapdrift + " diff " + (snapshot.parent_path() / "snap-000001.hds").string() + " " +
                    snapshot.string() + " --json");
  ASSERT_EQ(diff.status, 0);
  const auto sites = nlohmann::json::parse(diff.out)["sites"];
  std::map<std::string, nlohmann::json> by_jit_frame;
  for (const auto& site : sites) {
    for (const auto& f : site["frames"]) {
      if (f["kind"] == "jit") by_jit_frame[f["function"].get<std::string>()] = {{"site", site}, {"frame", f}};
    }
  }
  ASSERT_EQ(by_jit_frame.size(), 2u) << diff.out;
  EXPECT_EQ(by_jit_frame["alphaLeak"]["site"]["status"], "same");
  EXPECT_EQ(by_jit_frame["alphaLeak"]["site"]["late_bytes"], 100u << 16);
  EXPECT_EQ(by_jit_frame["betaLeak"]["site"]["status"], "new");
  EXPECT_EQ(by_jit_frame["betaLeak"]["site"]["late_bytes"], 50u << 16);
  EXPECT_EQ(by_jit_frame["betaLeak"]["frame"]["file"], "beta.js");
  EXPECT_EQ(by_jit_frame["betaLeak"]["frame"]["path"], "/app/beta.js");
  EXPECT_EQ(by_jit_frame["betaLeak"]["frame"]["line"], 20);
  fs::remove_all(dir);
}

TEST(NodeJs, ALeakIsNamedByItsJavaScriptFunction) {
  const fs::path dir = scratch("node");
  const std::string heapdrift = HEAPDRIFT_BIN;
  // In the scratch directory: --perf-basic-prof makes V8 write a log into the working one.
  // Functions still interpreted are named too (README), however slow the machine is to
  // compile them.
  fs::create_directories(dir);
  ASSERT_EQ(run("cd " + dir.string() + " && " + heapdrift + " record -o rec --interval 250ms -- " + NODE +
                " --perf-basic-prof --interpreted-frames-native-stack " + NODE_BUFFER_LEAK)
                .status,
            0);
  Result leaks = run(heapdrift + " leaks " + (dir / "rec").string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  const auto& top = j["suspects"][0];
  bool named = false;
  for (const auto& f : top["frames"]) {
    // V8's builtins run from a second mapping of node's code: named as node's.
    EXPECT_NE(f["kind"], "unknown") << f.dump();
    if (f["function"] != "rememberRequest") continue;
    named = true;
    EXPECT_EQ(f["kind"], "jit");
    EXPECT_EQ(f["path"], NODE_BUFFER_LEAK);
    EXPECT_EQ(f["line"], 8);
  }
  EXPECT_TRUE(named) << top["frames"].dump(1);
  // The text names the site by the JavaScript function that called into Node.
  Result text = run(heapdrift + " leaks " + (dir / "rec").string());
  EXPECT_NE(text.out.find("<- rememberRequest"), std::string::npos) << text.out;
  remove_recording(dir);
}

}  // namespace
