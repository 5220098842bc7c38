// Records each native sample for 12 s under the real shim and checks the verdicts:
// the leaking function is the top suspect and no decoy (cache, churn, big buffer)
// appears among the suspects; diff and report work on the same recordings.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;

using heapdrift::e2e::Result;
using heapdrift::e2e::run;

struct Case {
  const char* sample;
  const char* leak;                  // frames[0].function of the top suspect
  const char* leak_module;           // frames[0].module
  std::vector<const char*> decoys;   // functions that must appear in no suspect
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.sample; }

class SampleLeaks : public testing::TestWithParam<Case> {};

TEST_P(SampleLeaks, LeakingFunctionIsTheTopSuspectAndNoDecoyIsReported) {
  const Case& c = GetParam();
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-" + std::string(c.sample) + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  Result rec = run(heapdrift + " record -o " + dir.string() + " --sample-rate 256K --interval 1s -- " + SAMPLES_DIR +
                   "/" + c.sample + " 12");
  ASSERT_EQ(rec.status, 0);

  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json --fail-on-leak");
  ASSERT_EQ(leaks.status, 3) << "--fail-on-leak exits 3 when a suspect is reported\n" << leaks.out;
  auto j = nlohmann::json::parse(leaks.out);
  ASSERT_GE(j["snapshots"].get<int>(), 10);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  const auto& top = j["suspects"][0];
  EXPECT_GT(top["growth_bytes"].get<double>(), 0);
  EXPECT_EQ(top["frames"][0]["function"], c.leak) << top.dump(2);
  EXPECT_EQ(top["frames"][0]["module"], c.leak_module);
  EXPECT_EQ(top["frames"][0]["kind"], "native");
  EXPECT_TRUE(top["frames"][0].contains("line"));
  for (const auto& suspect : j["suspects"]) {
    for (const auto& frame : suspect["frames"]) {
      for (const char* decoy : c.decoys) EXPECT_NE(frame["function"], decoy) << "decoy reported as a leak";
    }
  }

  // diff first vs last snapshot of the main process: the leak grew.
  std::vector<fs::path> snaps;
  for (const auto& e : fs::directory_iterator(dir / std::to_string(j["pid"].get<int>()))) {
    if (e.path().extension() == ".hds") snaps.push_back(e.path());
  }
  std::sort(snaps.begin(), snaps.end());
  ASSERT_GE(snaps.size(), 3u);
  Result diff = run(heapdrift + " diff " + snaps[1].string() + " " + snaps[snaps.size() - 2].string() + " --json");
  ASSERT_EQ(diff.status, 0);
  auto d = nlohmann::json::parse(diff.out);
  EXPECT_TRUE(d["same_process"].get<bool>());
  bool leak_grew = false;
  for (const auto& site : d["sites"]) {
    if (site["frames"][0]["function"] == c.leak) leak_grew = site["change_bytes"].get<double>() > 4 * site["change_stddev_bytes"].get<double>();
  }
  EXPECT_TRUE(leak_grew) << diff.out;
  // Given the other way round, or one snapshot twice, they are still of one process:
  // the same changes from late back to early, or none and no error.
  Result back = run(heapdrift + " diff " + snaps[snaps.size() - 2].string() + " " + snaps[1].string() + " --json");
  ASSERT_EQ(back.status, 0);
  auto b = nlohmann::json::parse(back.out);
  EXPECT_TRUE(b["same_process"].get<bool>());
  ASSERT_EQ(b["sites"].size(), d["sites"].size());
  const std::map<std::string, std::string> opposite{
      {"growth", "shrink"}, {"shrink", "growth"}, {"new", "gone"}, {"gone", "new"}, {"same", "same"}};
  for (size_t i = 0; i < d["sites"].size(); ++i) {
    const auto &there = d["sites"][i], &back_again = b["sites"][i];
    EXPECT_EQ(back_again["frames"], there["frames"]);
    EXPECT_EQ(back_again["status"], opposite.at(there["status"]));
    EXPECT_EQ(back_again["change_bytes"].get<int64_t>(), -there["change_bytes"].get<int64_t>());
    EXPECT_EQ(back_again["early_bytes"], there["late_bytes"]);
    EXPECT_EQ(back_again["change_stddev_bytes"], there["change_stddev_bytes"]);
  }
  Result twice = run(heapdrift + " diff " + snaps[1].string() + " " + snaps[1].string() + " --json");
  ASSERT_EQ(twice.status, 0);
  auto t = nlohmann::json::parse(twice.out);
  EXPECT_TRUE(t["same_process"].get<bool>());
  ASSERT_FALSE(t["sites"].empty());
  for (const auto& site : t["sites"]) {
    EXPECT_EQ(site["change_bytes"], 0) << site.dump();
    EXPECT_EQ(site["change_stddev_bytes"], 0) << site.dump();
  }

  Result report = run(heapdrift + " report " + dir.string());
  ASSERT_EQ(report.status, 0);
  EXPECT_NE(report.out.find(c.leak), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("Where RSS goes"), std::string::npos);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    NativeSamples, SampleLeaks,
    testing::Values(Case{"thread_registry_leak", "ThreadRegistry::onThreadStart", "thread_registry_leak",
                         {"BoundedCache::put", "churnBurst", "allocateBallast"}},
                    Case{"dlopen_leak", "plugin::SessionCache::remember", "libleaky_plugin.so",
                         {"plugin::acquire_request_scratch", "RecentResponses::push", "allocate_host_arena"}},
                    Case{"inline_leak", "Journal::append_entry", "inline_leak",
                         {"Journal::checksum_event", "QueryCache::put", "allocate_segment_buffer"}}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.sample); });

}  // namespace

namespace {

// A recording with a child: `sh -c 'SAMPLE 12; true'` forks the sample. The JSON
// describes the shell at the top level and the sample under `children`.
TEST(RecordingWithChildren, ChildrenAreJudgedAndListedSeparately) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-children-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  std::string sample = std::string(SAMPLES_DIR) + "/thread_registry_leak";
  Result rec = run(heapdrift + " record -o " + dir.string() + " --sample-rate 256K --interval 1s -- sh -c '" + sample +
                   " 12; true'");
  ASSERT_EQ(rec.status, 0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  EXPECT_EQ(j["command"].get<std::string>().rfind("sh -c", 0), 0u) << j["command"];
  EXPECT_TRUE(j["suspects"].empty());
  ASSERT_EQ(j["children"].size(), 1u) << leaks.out;
  const auto& child = j["children"][0];
  EXPECT_NE(child["pid"], j["pid"]);
  EXPECT_EQ(child["command"], sample + " 12");
  EXPECT_GE(child["snapshots"].get<int>(), 10);
  ASSERT_FALSE(child["suspects"].empty());
  EXPECT_EQ(child["suspects"][0]["frames"][0]["function"], "ThreadRegistry::onThreadStart");
  // report shows the shell, and says where the sample's own report is.
  Result report = run(heapdrift + " report " + dir.string());
  ASSERT_EQ(report.status, 0);
  const std::string child_dir = (dir / std::to_string(child["pid"].get<int>())).string();
  EXPECT_NE(report.out.find("Other processes in this recording (1)"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find(child_dir), std::string::npos) << report.out;
  fs::remove_all(dir);
}

}  // namespace

namespace {

// The lines of `text` that contain `word`.
std::vector<std::string> lines_naming(const std::string& text, const std::string& word) {
  std::vector<std::string> out;
  for (size_t pos = 0, end; pos < text.size(); pos = end + 1) {
    end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (line.find(word) != std::string::npos) out.push_back(line);
  }
  return out;
}

// Sites are whole stacks, but a row of `report` shows only the first frame: the two
// stacks of keep_block (48 and 16 blocks of 64 KiB, recorded exactly) make one row of
// 4 MiB, not two rows that read the same.
TEST(Report, StacksThatPrintTheSameSiteAreOneRow) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-two-paths-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --sample-rate 1 --interval 0 -- " + TWO_PATHS_LEAK).status,
            0);
  Result report = run(heapdrift + " report " + dir.string());
  ASSERT_EQ(report.status, 0);
  std::vector<std::string> rows = lines_naming(report.out, "keep_block");
  ASSERT_EQ(rows.size(), 1u) << report.out;
  EXPECT_EQ(rows[0].find("4.00 MiB"), rows[0].find_first_not_of(' ')) << rows[0];
  EXPECT_NE(rows[0].find("two_paths_leak.c:9  (2 call paths)"), std::string::npos) << rows[0];
  fs::remove_all(dir);
}

// The same in `diff`, between a run that kept blocks through path_a only and one that
// kept 16 more through path_b: one row, 3 MiB -> 4 MiB, growth (not "same" 3 MiB and
// "new" 1 MiB under one name).
TEST(Diff, StacksThatPrintTheSameSiteAreOneRow) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-two-paths-diff-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  for (const char* n : {"0", "16"}) {
    fs::path rec = dir / n;
    std::string command = std::string(TWO_PATHS_LEAK) + " " + n;
    ASSERT_EQ(run(heapdrift + " record -o " + rec.string() + " --sample-rate 1 --interval 0 -- " + command).status, 0);
  }
  auto snapshot_of = [&](const char* n) {
    for (const auto& process : fs::directory_iterator(dir / n)) {
      if (process.is_directory()) return (process.path() / "snap-000001.hds").string();
    }
    return std::string();
  };
  Result diff = run(heapdrift + " diff " + snapshot_of("0") + " " + snapshot_of("16"));
  ASSERT_EQ(diff.status, 0);
  std::vector<std::string> rows = lines_naming(diff.out, "keep_block");
  ASSERT_EQ(rows.size(), 1u) << diff.out;
  for (const char* part : {"+1.00 MiB", "3.00 MiB -> 4.00 MiB  growth  keep_block", "(2 call paths)"}) {
    EXPECT_NE(rows[0].find(part), std::string::npos) << rows[0] << " lacks " << part;
  }
  fs::remove_all(dir);
}

}  // namespace

namespace {

// Records `program` into `dir` with record's `options` (by default a snapshot every
// 500 ms) and returns `leaks --json` of it (an empty object, and the test failed, when a
// command fails).
nlohmann::json record_leaks(const fs::path& dir, const std::string& program,
                            const std::string& options = "--interval 500ms") {
  fs::remove_all(dir);
  const std::string heapdrift = HEAPDRIFT_BIN;
  Result rec = run(heapdrift + " record -o " + dir.string() + " " + options + " -- " + program);
  EXPECT_EQ(rec.status, 0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  EXPECT_EQ(leaks.status, 0);
  return rec.status == 0 && leaks.status == 0 ? nlohmann::json::parse(leaks.out) : nlohmann::json::object();
}

// RSS grows by 192 MiB that no malloc made (mmap_growth maps and writes it): leaks says
// the growth is outside malloc, not that the allocator keeps freed memory.
TEST(RssOutsideMalloc, LeaksSaysTheGrowthIsNotTheAllocators) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-mmap-" + std::to_string(getpid()));
  auto j = record_leaks(dir, MMAP_GROWTH);
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  const std::string note = j["note"];
  EXPECT_NE(note.find("outside malloc"), std::string::npos) << note;
  EXPECT_EQ(note.find("MALLOC_ARENA_MAX"), std::string::npos) << note;
  EXPECT_TRUE(j["suspects"].empty()) << j.dump(1);
  EXPECT_EQ(note.find("threads' stacks"), std::string::npos) << note;
  fs::remove_all(dir);
}

// unjoined_threads starts 1,000 threads, one every 3 ms, and joins none: each keeps its
// stack mapped after it ended, which the note tells from the maps and the count of
// threads running.
TEST(RssOutsideMalloc, StacksOfThreadsNeverJoinedAreTold) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-unjoined-" + std::to_string(getpid()));
  auto j = record_leaks(dir, UNJOINED_THREADS);
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  const std::string note = j["note"];
  EXPECT_NE(note.find("threads' stacks are mapped beyond the"), std::string::npos) << note;
  EXPECT_NE(note.find("pthread_join"), std::string::npos) << note;
  EXPECT_TRUE(j["suspects"].empty()) << j.dump(1);
  // report counts them in its exit snapshot: most of the 1,000, and the threads running.
  Result report = run(std::string(HEAPDRIFT_BIN) + " report " + dir.string());
  ASSERT_EQ(report.status, 0);
  const std::regex line(R"(\n    thread stacks, mapped +\S+ \S+  \((\d+) besides the main thread's, .*; )"
                        R"((\d+) threads running, heapdrift's writer among them\))");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(report.out, m, line)) << report.out;
  EXPECT_GE(std::stoi(m[1]), 500) << report.out;
  EXPECT_LE(std::stoi(m[2]), 3) << report.out;
  fs::remove_all(dir);
}

// fragmented_heap leaves 50,000 free chunks in glibc's arena: counting them takes the
// shim's writer far more than its budget, a pause for the threads that allocate. The
// snapshots have glibc's figures up to the first walk that found them (the first
// snapshot always walks); the periodic ones after it leave them out and say why; the
// exit snapshot has them again.
TEST(AllocatorFigures, ASlowWalkOfGlibcsArenasIsMadeAgainOnlyAtExit) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-fragmented-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --interval 500ms -- " + FRAGMENTED_HEAP).status, 0);
  std::vector<fs::path> snapshots;
  for (const auto& process : fs::directory_iterator(dir)) {
    if (!process.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(process)) {
      if (file.path().extension() == ".hds") snapshots.push_back(file.path());
    }
  }
  std::sort(snapshots.begin(), snapshots.end());
  std::vector<std::string> reports;
  for (const fs::path& snapshot : snapshots) {
    Result r = run(heapdrift + " report " + snapshot.string());
    EXPECT_EQ(r.status, 0);
    reports.push_back(r.out);
  }
  const std::regex free_line(R"(\n  allocator free/fragmented +([\d.]+) (KiB|MiB)  \(glibc holds )");
  const std::string left_out =
      "  live heap                    unknown  (glibc's figures are left out: counting its free chunks took ";
  auto first_left_out = std::find_if(reports.begin(), reports.end(),
                                     [&](const std::string& r) { return r.find(left_out) != std::string::npos; });
  ASSERT_NE(first_left_out, reports.begin()) << reports.front();
  ASSERT_NE(first_left_out, reports.end()) << reports.back();
  ASSERT_LT(first_left_out - reports.begin(), ptrdiff_t(reports.size()) - 1) << reports.back();
  // The walk before: the slow one, which counted the free chunks.
  std::smatch m;
  const std::string& slow = *(first_left_out - 1);
  ASSERT_TRUE(std::regex_search(slow, m, free_line)) << slow;
  EXPECT_EQ(m[2], "MiB") << slow;
  EXPECT_GE(std::stod(m[1]), 50) << slow;  // 50,000 chunks of 1,100 bytes or more
  // The samples' estimate stands in for the live heap: the 64 MiB of blocks kept.
  const std::regex estimated(R"(\n  live heap +([\d.]+) MiB  \(estimated from the samples\))");
  for (auto r = first_left_out; r != reports.end() - 1; ++r) {
    EXPECT_NE(r->find(left_out), std::string::npos) << *r;
    EXPECT_FALSE(std::regex_search(*r, free_line)) << *r;
    ASSERT_TRUE(std::regex_search(*r, m, estimated)) << *r;
    EXPECT_NEAR(std::stod(m[1]), 64, 24) << *r;
  }
  EXPECT_TRUE(std::regex_search(reports.back(), free_line)) << reports.back();
  fs::remove_all(dir);
}

}  // namespace

namespace {

// teardown_leak's registry grows for 3 s and its destructor frees it all at exit,
// before the exit snapshot: the leak is judged on the snapshots taken while it ran,
// and report, which shows the exit snapshot, points at the one before.
TEST(ExitSnapshot, ATeardownThatFreesTheLeakDoesNotHideIt) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-teardown-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  const std::string options = " --sample-rate 128K --interval 250ms -- ";
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + options + TEARDOWN_LEAK).status, 0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  const size_t snapshots = j["snapshots"];
  ASSERT_GE(snapshots, 8u) << leaks.out;
  EXPECT_EQ(j["judged_snapshots"], snapshots - 1);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  const auto& top = j["suspects"][0];
  EXPECT_EQ(top["frames"][0]["function"], "(anonymous namespace)::Registry::remember") << top["frames"].dump(1);
  // Its estimates cover every snapshot: nothing of it is live in the exit snapshot.
  ASSERT_EQ(top["live_bytes"].size(), snapshots);
  EXPECT_EQ(top["live_bytes"].back(), 0);
  EXPECT_GT(top["live_bytes"][snapshots - 2].get<double>(), 16 << 20);
  // report shows the latest snapshot, the exit one, and names the one before it.
  Result report = run(heapdrift + " report " + dir.string());
  ASSERT_EQ(report.status, 0);
  const std::string before = "snap-" + std::string(6 - std::to_string(snapshots - 1).size(), '0') +
                             std::to_string(snapshots - 1) + ".hds";
  EXPECT_NE(report.out.find("is the exit snapshot, written after the program's teardown"), std::string::npos)
      << report.out;
  EXPECT_NE(report.out.find(before), std::string::npos) << before << " not in\n" << report.out;
  // flamegraph too, on stderr (the braces keep it from run()'s 2>/dev/null).
  const fs::path svg = dir / "exit.svg";
  Result flame = run("{ " + heapdrift + " flamegraph " + dir.string() + " -o " + svg.string() + " 2>&1; }");
  ASSERT_EQ(flame.status, 0);
  EXPECT_NE(flame.out.find("heapdrift: note: "), std::string::npos) << flame.out;
  EXPECT_NE(flame.out.find(before), std::string::npos) << flame.out;
  fs::remove_all(dir);
}

// A teardown that takes a second, freeing as it goes: the periodic snapshots taken
// while it runs are left out of the test as the exit snapshot is, and report names the
// last one before it.
TEST(ExitSnapshot, SnapshotsTakenDuringASlowTeardownAreLeftOutToo) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-slow-teardown-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --sample-rate 128K --interval 250ms -- " +
                TEARDOWN_LEAK + " slow")
                .status,
            0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  const size_t snapshots = j["snapshots"];
  EXPECT_LE(j["judged_snapshots"].get<size_t>(), snapshots - 4) << leaks.out;  // 1 s of teardown: 3 or 4 in it
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  EXPECT_EQ(j["suspects"][0]["frames"][0]["function"], "(anonymous namespace)::Registry::remember");
  Result report = run(heapdrift + " report " + dir.string());
  EXPECT_NE(report.out.find("the last one before the teardown began"), std::string::npos) << report.out;
  fs::remove_all(dir);
}

// A buffer grown by realloc all run: one block at a time, which the leak test cannot
// tell from a structure that has reached its working size. leaks does not call it a
// leak, and does not keep quiet about it either.
TEST(ReallocGrowth, LeaksShowsTheGrowingBufferApart) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-realloc-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --interval 250ms -- " + REALLOC_GROWTH).status, 0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  EXPECT_TRUE(j["suspects"].empty()) << leaks.out;
  ASSERT_EQ(j["growing_not_leaks"].size(), 1u) << leaks.out;
  const auto& g = j["growing_not_leaks"][0];
  EXPECT_EQ(g["frames"][0]["function"], "log_append") << g.dump(1);
  EXPECT_EQ(g["blocks"], 1);
  EXPECT_GT(g["growth_bytes"].get<double>(), 8 << 20);
  Result text = run(heapdrift + " leaks " + dir.string());
  EXPECT_NE(text.out.find("Grew, but not judged a leak"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("log_append  realloc_growth.c:"), std::string::npos) << text.out;
  fs::remove_all(dir);
}

// context_leak, stripped, allocates through palloc (named) and a static function that
// has no name: the site is the code that asked palloc for the memory, not the unnamed
// allocator internals nor palloc.
TEST(AllocatorFrames, AnUnnamedFunctionAnAllocatorCalledIsCutWithIt) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-e2e-context-" + std::to_string(getpid()));
  auto j = record_leaks(dir, CONTEXT_LEAK, "--interval 250ms --sample-rate 4KiB");
  ASSERT_EQ(j["suspects"].size(), 1u) << j.dump(1);
  EXPECT_EQ(j["suspects"][0]["frames"][0]["function"], "cache_insert") << j.dump(1);

  // A C++ function that is an allocator frame when innermost (std::for_each) does not
  // vouch for the unnamed function it called back: that one stays the site.
  j = record_leaks(dir, CALLBACK_LEAK, "--interval 250ms --sample-rate 64KiB");
  ASSERT_EQ(j["suspects"].size(), 1u) << j.dump(1);
  const auto& frames = j["suspects"][0]["frames"];
  EXPECT_TRUE(frames[0]["function"].get<std::string>().starts_with("callback_leak+0x")) << j.dump(1);
  EXPECT_TRUE(frames[1]["function"].get<std::string>().starts_with("std::for_each<")) << j.dump(1);
  fs::remove_all(dir);
}

}  // namespace
