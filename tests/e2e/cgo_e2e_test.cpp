// A Go service with two leaks through cgo (tests/go/cgo_leak), recorded under the real
// shim. Its C code runs on the thread's stack and Go's on the goroutine's: the stack
// goes on past the cgo call into the Go code that made it, and the C library's leak is
// named by that code; the C strings it never frees are named by the Go line that made
// them. In the program as `go build` makes it (DWARF) and without symbols and DWARF
// (Go's own table names the Go frames, .dynsym the C functions that cgo exports).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;

using heapdrift::e2e::Result;
using heapdrift::e2e::run;

struct Build {
  const char* name;
  const char* program;
  const char* leak_site;   // the C library's leak in `leaks`
  const char* table_site;  // the held table's row in `report`
};

void PrintTo(const Build& b, std::ostream* os) { *os << b.name; }

const nlohmann::json* frame_named(const nlohmann::json& site, const std::string& function) {
  for (const auto& f : site["frames"]) {
    if (f["function"] == function) return &f;
  }
  return nullptr;
}

// The suspect whose stack begins with `function`.
const nlohmann::json* suspect_at(const nlohmann::json& leaks, const std::string& function) {
  for (const auto& s : leaks["suspects"]) {
    if (s["frames"][0]["function"] == function) return &s;
  }
  return nullptr;
}

class CgoLeak : public testing::TestWithParam<Build> {};

TEST_P(CgoLeak, LeaksThroughCgoAreNamedByTheirGoCode) {
  const Build& b = GetParam();
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-cgo-" + std::string(b.name) + "-" +
                                                    std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --sample-rate 256K --interval 1s -- " + b.program + " 10")
                .status,
            0);

  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json --fail-on-leak");
  ASSERT_EQ(leaks.status, 3) << leaks.out;
  const auto j = nlohmann::json::parse(leaks.out);
  // The C library's cache: past the runtime's trampoline, the goroutine's frames, down
  // to where it began.
  const nlohmann::json* cache = suspect_at(j, "frame_cache_retain");
  ASSERT_NE(cache, nullptr) << leaks.out;
  std::vector<std::string> stack;
  for (const auto& f : (*cache)["frames"]) stack.push_back(f["function"].get<std::string>());
  EXPECT_EQ(fs::path((*cache)["frames"][0]["module"].get<std::string>()).filename(), fs::path(b.program).filename());
  auto trampoline = std::find(stack.begin(), stack.end(), "runtime.asmcgocall");
  ASSERT_NE(trampoline, stack.end()) << cache->dump(1);
  EXPECT_NE(std::find(trampoline, stack.end(), "main.(*Sender).Send"), stack.end()) << cache->dump(1);
  EXPECT_EQ(stack.back(), "runtime.goexit") << cache->dump(1);
  const nlohmann::json* send = frame_named(*cache, "main.(*Sender).Send");
  ASSERT_NE(send, nullptr);
  EXPECT_EQ((*send)["file"], "main.go");
  EXPECT_EQ((*send)["line"], 27);  // the call of C.frame_cache_retain
  // The C strings: cgo's allocation machinery is cut, the Go code that asked is the site.
  const nlohmann::json* names = suspect_at(j, "main.(*Registry).Add");
  ASSERT_NE(names, nullptr) << leaks.out;
  EXPECT_EQ((*names)["frames"][0]["file"], "main.go");
  EXPECT_EQ((*names)["frames"][0]["line"], 32);  // C.CString(name)
  for (const auto& suspect : j["suspects"]) {
    EXPECT_EQ(frame_named(suspect, "encode_scratch"), nullptr) << "churn reported as a leak";
    EXPECT_EQ(frame_named(suspect, "lookup_table_init"), nullptr) << "a table held all along reported as a leak";
  }

  Result text = run(heapdrift + " leaks " + dir.string());
  EXPECT_NE(text.out.find(std::string(" ") + b.leak_site + "\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" main.(*Registry).Add  main.go:32\n"), std::string::npos) << text.out;
  // The main goroutine's stack goes on past its cgo calls as well.
  Result report = run(heapdrift + " report " + dir.string());
  EXPECT_NE(report.out.find(std::string(b.table_site) + "\n"), std::string::npos) << report.out;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Builds, CgoLeak,
    testing::Values(Build{"dwarf", CGO_LEAK, "frame_cache_retain  frames.c:16  <- main.(*Sender).Send",
                          "lookup_table_init  frames.c:32  <- main.main"},
                    Build{"stripped", CGO_LEAK_STRIPPED, "frame_cache_retain  <- main.(*Sender).Send",
                          "lookup_table_init  <- main.main"}),
    [](const testing::TestParamInfo<Build>& info) { return std::string(info.param.name); });

// Go's runtime exits by the exit_group system call: no exit handler of C's runs, the
// shim's exit snapshot included. record says so, and how to get snapshots instead.
TEST(CgoExit, AGoProgramWritesNoExitSnapshotAndRecordSaysWhy) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-cgo-exit-" + std::to_string(getpid()));
  fs::remove_all(dir);
  Result rec = run("(" + std::string(HEAPDRIFT_BIN) + " record -o " + dir.string() + " -- " + CGO_LEAK + " 1 2>&1)");
  ASSERT_EQ(rec.status, 0) << rec.out;
  EXPECT_NE(rec.out.find("(0 snapshots from pid"), std::string::npos) << rec.out;
  EXPECT_NE(rec.out.find("as Go programs and dash do): a shorter --interval"), std::string::npos) << rec.out;
  fs::remove_all(dir);
}

}  // namespace
