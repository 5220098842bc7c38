// A Go service whose C library leaks (go/cgo_leak), recorded under the real shim. Its C
// code runs on the thread's stack and Go's on the goroutine's: the stack goes on past
// the cgo call into the Go code that made it, and the site is named by that code.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;

using heapdrift::e2e::Result;
using heapdrift::e2e::run;

std::vector<std::string> functions(const nlohmann::json& site) {
  std::vector<std::string> out;
  for (const auto& f : site["frames"]) out.push_back(f["function"].get<std::string>());
  return out;
}

TEST(CgoLeak, CCodeCalledFromGoIsNamedByItsGoCaller) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-cgo-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --sample-rate 256K --interval 1s -- " + CGO_LEAK + " 10")
                .status,
            0);

  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json --fail-on-leak");
  ASSERT_EQ(leaks.status, 3) << leaks.out;
  const auto j = nlohmann::json::parse(leaks.out);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  const auto& top = j["suspects"][0];
  const std::vector<std::string> stack = functions(top);
  EXPECT_EQ(top["frames"][0]["function"], "frame_cache_retain") << top.dump(1);
  EXPECT_EQ(top["frames"][0]["file"], "frames.c");
  EXPECT_EQ(fs::path(top["frames"][0]["module"].get<std::string>()).filename(), "cgo_leak");
  // Past the runtime's trampoline, the goroutine's frames, down to where it began.
  auto trampoline = std::find(stack.begin(), stack.end(), "runtime.asmcgocall");
  ASSERT_NE(trampoline, stack.end()) << top.dump(1);
  EXPECT_NE(std::find(trampoline, stack.end(), "main.(*Sender).Send"), stack.end()) << top.dump(1);
  EXPECT_EQ(stack.back(), "runtime.goexit") << top.dump(1);
  for (const auto& suspect : j["suspects"]) {
    for (const std::string& f : functions(suspect)) {
      EXPECT_NE(f, "encode_scratch") << "churn reported as a leak";
      EXPECT_NE(f, "lookup_table_init") << "a table held all along reported as a leak";
    }
  }

  Result text = run(heapdrift + " leaks " + dir.string());
  EXPECT_NE(text.out.find("#1 frame_cache_retain  frames.c:16  <- main.(*Sender).Send"), std::string::npos) << text.out;
  // The main goroutine's stack goes on past its cgo calls as well.
  Result report = run(heapdrift + " report " + dir.string());
  EXPECT_NE(report.out.find("lookup_table_init  frames.c:32  <- main.main"), std::string::npos) << report.out;
  fs::remove_all(dir);
}

// Go's runtime exits by the exit_group system call: no exit handler of C's runs, the
// shim's exit snapshot included. record says so, and how to get snapshots instead.
TEST(CgoLeak, AGoProgramWritesNoExitSnapshotAndRecordSaysWhy) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-cgo-exit-" + std::to_string(getpid()));
  fs::remove_all(dir);
  Result rec = run("(" + std::string(HEAPDRIFT_BIN) + " record -o " + dir.string() + " -- " + CGO_LEAK + " 1 2>&1)");
  ASSERT_EQ(rec.status, 0) << rec.out;
  EXPECT_NE(rec.out.find("(0 snapshots from pid"), std::string::npos) << rec.out;
  EXPECT_NE(rec.out.find("as Go programs and dash do): a shorter --interval"), std::string::npos) << rec.out;
  fs::remove_all(dir);
}

}  // namespace
