// The perf-map reader on real files written by the JDK itself: at exit
// (-XX:+DumpPerfMapAtExit) and on request (jcmd PID Compiler.perfmap, JDK 17+).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "java_names.h"
#include "jit_code_map.h"
#include "jvm_support.h"
#include "perf_map_reader.h"

namespace {

namespace fs = std::filesystem;
using heapdrift::perfmap::JavaFrame;
using heapdrift::perfmap::JitCodeMap;
using heapdrift::perfmap::parse_perf_map_name;
using heapdrift::perfmap::PerfMap;
using heapdrift::perfmap::read_perf_map;
using namespace perfmaptest;

pid_t ready_pid(const fs::path& dir) {
  std::ifstream in(dir / "ready");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// What any perf map of PerfMapSubject written after its warm-up must hold.
void check_jdk_perf_map(const fs::path& path, uint64_t written_ns) {
  PerfMap map = read_perf_map(path);
  EXPECT_EQ(map.malformed_lines, 0u) << (map.warnings.empty() ? "" : map.warnings[0]);
  ASSERT_GT(map.entries.size(), 100u);

  size_t java = 0, generated = 0, hot = 0, interpreter = 0;
  for (const auto& e : map.entries) {
    auto names = parse_perf_map_name(e.name);
    (names.empty() ? generated : java) += 1;
    // The JDK names compiled code "RET pkg.Class.method(PARAMS)": every such name parses.
    size_t open = e.name.find('(');
    if (open != std::string::npos && e.name.back() == ')' && e.name.find(' ') < open &&
        e.name.find('.') < open) {
      EXPECT_EQ(names.size(), 1u) << "line " << e.line << ": " << e.name;
    }
    if (!names.empty() && names[0].function == "PerfMapSubject.hot") {
      EXPECT_EQ(names[0].signature, "(I)I");
      ++hot;
    }
    interpreter += e.name == "Interpreter";
  }
  EXPECT_GT(java, 0u);
  EXPECT_GT(generated, 0u);
  EXPECT_GE(hot, 1u) << "the hot method's compiled code is missing";
  EXPECT_EQ(interpreter, 1u);

  // Through the lookup: every entry names its own range (a snapshot has no overlaps).
  JitCodeMap code;
  code.add_perf_map(map, written_ns);
  for (const auto& e : map.entries) {
    auto frames = code.lookup(e.start + 1, written_ns - 1);
    ASSERT_FALSE(frames.empty()) << e.name;
    auto names = parse_perf_map_name(e.name);
    if (names.empty()) {
      EXPECT_EQ(frames.back().kind, JavaFrame::kGenerated) << e.name;
    } else {
      EXPECT_EQ(frames.back().kind, JavaFrame::kCompiled) << e.name;
      EXPECT_EQ(frames.back().function, names.back().function) << e.name;
    }
  }
}

TEST(JdkPerfMap, DumpPerfMapAtExit) {
  shimtest::ScratchDir scratch;
  auto r = shimtest::run_program({java(), "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit", "-cp",
                                  classes(), "PerfMapSubject", scratch.path().string(), "exit"},
                                 {}, 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  pid_t pid = ready_pid(scratch.path());
  ASSERT_EQ(pid, r.pid);
  PerfMapFile file(pid);
  ASSERT_TRUE(fs::exists(file.path()));
  check_jdk_perf_map(file.path(), monotonic_ns());
}

TEST(JdkPerfMap, JcmdCompilerPerfmap) {
  shimtest::ScratchDir scratch;
  shimtest::RunResult subject;
  std::thread jvm([&] {
    subject = shimtest::run_program({java(), "-cp", classes(), "PerfMapSubject", scratch.path().string()}, {}, 90,
                                    scratch.path());
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(scratch.path() / "ready") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_t pid = ready_pid(scratch.path());
  std::unique_ptr<PerfMapFile> file;
  shimtest::RunResult r;
  if (pid > 0) {
    file = std::make_unique<PerfMapFile>(pid);
    r = shimtest::run_program({jcmd(), std::to_string(pid), "Compiler.perfmap"}, {}, 60, scratch.path());
  }
  uint64_t written = monotonic_ns();
  std::ofstream(scratch.path() / "go") << "go";
  jvm.join();
  ASSERT_GT(pid, 0) << "the JVM never got ready: " << subject.describe();
  ASSERT_TRUE(subject.exited_with(0)) << subject.describe();
  ASSERT_TRUE(r.exited_with(0)) << r.describe() << " " << r.out;
  ASSERT_TRUE(fs::exists(file->path())) << r.out;
  check_jdk_perf_map(file->path(), written);
}

}  // namespace
