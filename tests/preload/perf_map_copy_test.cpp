// The shim's copy of a JIT's perf map (preload/perf_map_copy.h) on real files.
#include "perf_map_copy.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "clock.h"
#include "snapshot_format.h"

namespace {

namespace fs = std::filesystem;
using heapdrift::PerfMapCopy;
using heapdrift::clock_ns;

class PerfMapCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/heapdrift-perfmapcopy-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    source_ = (root_ / "perf-1234.map").string();
    process_dir_ = root_ / "1234";
    fs::create_directory(process_dir_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write_source(const std::string& text, std::ios::openmode mode = std::ios::app) {
    std::ofstream(source_, mode | std::ios::binary) << text;
  }
  void update() { copy_.update(source_, process_dir_.string(), start_wall_ns_, kStartMono); }

  // The copy's batches: header line, then its lines.
  struct Batch {
    std::string header;
    std::string lines;
  };
  std::vector<Batch> batches() const {
    std::ifstream in(process_dir_ / heapdrift::format::kPerfMapCopy);
    std::vector<Batch> out;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(heapdrift::format::kPerfMapCopyHeader, 0) == 0) out.push_back({line, ""});
      else if (!out.empty()) out.back().lines += line + "\n";
      else out.push_back({"(no header)", line + "\n"});
    }
    return out;
  }

  static constexpr uint64_t kStartMono = 4242;
  fs::path root_, process_dir_;
  std::string source_;
  uint64_t start_wall_ns_ = clock_ns(CLOCK_REALTIME) - 1000000000u;  // the program started a second ago
  PerfMapCopy copy_;
};

TEST_F(PerfMapCopyTest, CopiesCompleteLinesInDatedBatches) {
  update();  // no source yet: nothing
  EXPECT_FALSE(fs::exists(process_dir_ / heapdrift::format::kPerfMapCopy));
  write_source("1000 10 JS:*a /a.js:1:1\n2000 20 JS:*b /a.js:2:1\n3000 3");  // the JIT is mid-line
  const uint64_t before = clock_ns(CLOCK_MONOTONIC);
  update();
  const uint64_t after = clock_ns(CLOCK_MONOTONIC);
  write_source("0 JS:*c /a.js:3:1\n");
  update();
  update();  // nothing new: no batch
  auto b = batches();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].lines, "1000 10 JS:*a /a.js:1:1\n2000 20 JS:*b /a.js:2:1\n");
  EXPECT_EQ(b[1].lines, "3000 30 JS:*c /a.js:3:1\n");
  unsigned long long program = 0, copied = 0;
  ASSERT_EQ(std::sscanf(b[0].header.c_str() + strlen(heapdrift::format::kPerfMapCopyHeader),
                        " program %llu copied %llu", &program, &copied), 2) << b[0].header;
  EXPECT_EQ(program, kStartMono);
  EXPECT_GE(copied, before);
  EXPECT_LE(copied, after);
}

TEST_F(PerfMapCopyTest, ARewrittenSourceIsCopiedAgainFromItsStart) {
  write_source("1000 10 old.one\n2000 10 old.two\n");
  update();
  // Rewritten in place (jcmd Compiler.perfmap), longer than before.
  write_source("1000 10 new.one\n2000 10 new.two\n3000 10 new.three\n", std::ios::trunc);
  update();
  // Replaced by another file, shorter.
  fs::remove(source_);
  write_source("5000 10 other\n");
  update();
  auto b = batches();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[1].lines, "1000 10 new.one\n2000 10 new.two\n3000 10 new.three\n");
  EXPECT_EQ(b[2].lines, "5000 10 other\n");
}

TEST_F(PerfMapCopyTest, LeavesAloneWhatIsNotThisProgramsMap) {
  // Older than the program: the process that had the pid before, or the program before an exec.
  write_source("1000 10 stale\n");
  start_wall_ns_ = clock_ns(CLOCK_REALTIME) + 60 * 1000000000ull;
  update();
  EXPECT_FALSE(fs::exists(process_dir_ / heapdrift::format::kPerfMapCopy));
  start_wall_ns_ = 0;
  // Another user's file.
  ASSERT_EQ(chown(source_.c_str(), 65534, 65534), 0);
  update();
  EXPECT_FALSE(fs::exists(process_dir_ / heapdrift::format::kPerfMapCopy));
  // A FIFO where the map should be: no hang, nothing copied.
  fs::remove(source_);
  ASSERT_EQ(mkfifo(source_.c_str(), 0600), 0);
  update();
  EXPECT_FALSE(fs::exists(process_dir_ / heapdrift::format::kPerfMapCopy));
  // A symbolic link to some file.
  fs::remove(source_);
  std::ofstream(root_ / "secret") << "1000 10 secret\n";
  fs::create_symlink(root_ / "secret", source_);
  update();
  EXPECT_FALSE(fs::exists(process_dir_ / heapdrift::format::kPerfMapCopy));
  // A JVM whose recorder writes jit.log: its log says more than its perf map.
  fs::remove(source_);
  write_source("1000 10 p.A.a()V\n");
  std::ofstream(process_dir_ / heapdrift::format::kJitLog) << "";
  update();
  EXPECT_FALSE(fs::exists(process_dir_ / heapdrift::format::kPerfMapCopy));
}

// The kernel dates files by its coarse clock, up to a tick behind the clock that dated
// the program's start: a map written in the program's first tick has an mtime before
// the start. It is this program's all the same, and copied at once. (It was left until
// written to again, and PerfMapJit, end to end, then named the blocks of its first
// function after the one that reused their addresses.)
TEST_F(PerfMapCopyTest, AMapWrittenInTheProgramsFirstTickIsCopied) {
  timespec tick{};
  ASSERT_EQ(clock_getres(CLOCK_REALTIME_COARSE, &tick), 0);
  ASSERT_EQ(tick.tv_sec, 0);
  write_source("1000 10 first\n");
  struct stat st;
  ASSERT_EQ(stat(source_.c_str(), &st), 0);
  const uint64_t mtime_ns = uint64_t(st.st_mtim.tv_sec) * 1000000000u + uint64_t(st.st_mtim.tv_nsec);
  start_wall_ns_ = mtime_ns + uint64_t(tick.tv_nsec) / 2;
  update();
  ASSERT_EQ(batches().size(), 1u);
  EXPECT_EQ(batches()[0].lines, "1000 10 first\n");
}

TEST_F(PerfMapCopyTest, AFailedCopyLeavesNoHalfBatchAndIsDoneAgain) {
  write_source("1000 10 a\n");
  update();
  const fs::path copy = process_dir_ / heapdrift::format::kPerfMapCopy;
  const auto size = fs::file_size(copy);
  // A file-size limit a few bytes past the copy: the next batch's header is cut short
  // (a full disk does the same).
  write_source("2000 10 b\n");
  rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto previous = signal(SIGXFSZ, SIG_IGN);
  rlimit tight = saved;
  tight.rlim_cur = size + 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &tight), 0);
  update();
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  signal(SIGXFSZ, previous);
  EXPECT_EQ(fs::file_size(copy), size);
  update();
  auto b = batches();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].lines, "1000 10 a\n");
  EXPECT_EQ(b[1].lines, "2000 10 b\n");
}

}  // namespace
