// A real Chromium (Debian's, installed by scripts/setup) under `record`. Its malloc is
// its own (PartitionAlloc), and its zygote checks that it has no thread but its own
// before it forks a renderer: with the shim's writer thread there, it failed, and the
// browser aborted ("Did not receive ping from zygote child"). The shim keeps no thread
// where it can record nothing; `leaks` says why it saw nothing there.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "remove_recording.h"
#include "run_command.h"

namespace {

namespace fs = std::filesystem;
using heapdrift::e2e::run;

TEST(Chromium, RunsUnderRecordAndItsProcessesAreToldUnseen) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-chromium-" + std::to_string(getpid()));
  heapdrift::e2e::remove_recording(dir);
  auto r = run(std::string("timeout 90 ") + HEAPDRIFT_BIN + " record -o " + dir.string() + " -- " + CHROMIUM +
               " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
               " --disable-component-update --user-data-dir=" + (dir / "profile").string() +
               " --dump-dom 'data:text/html,<p>under heapdrift</p>'");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("<p>under heapdrift</p>"), std::string::npos) << r.out;

  fs::remove_all(dir / "profile");
  auto leaks = run(std::string(HEAPDRIFT_BIN) + " leaks --json " + dir.string());
  ASSERT_EQ(leaks.status, 0) << leaks.out;
  auto j = nlohmann::json::parse(leaks.out);
  nlohmann::json processes = j["children"];
  processes.push_back(j);
  int unseen = 0;
  for (const auto& p : processes) {
    if (!p.contains("note") || p["note"].get<std::string>().find("malloc is its own") == std::string::npos) continue;
    ++unseen;
    EXPECT_NE(p["command"].get<std::string>().find("chromium"), std::string::npos) << p.dump(1);
    EXPECT_EQ(p["snapshots"], 1) << "the exit snapshot only: " << p.dump(1);
  }
  // The browser's own process at least; those its children ran exit, or are killed.
  EXPECT_GE(unseen, 1) << j.dump(1);
  EXPECT_NE(j["note"].get<std::string>().find("malloc is its own"), std::string::npos) << j.dump(1);
  heapdrift::e2e::remove_recording(dir);
}

}  // namespace
