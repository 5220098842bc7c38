// Records each Java sample under `heapdrift record -- java ...` (the real JVM, the
// shim and the JIT recorder) and checks that the leak is named by its Java method:
// the top suspect's frames hold the leaking method as JIT-compiled (or inlined) Java,
// no decoy is reported, and report and flamegraph name it too.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_command.h"

namespace {

namespace fs = std::filesystem;

using heapdrift::e2e::Result;
using heapdrift::e2e::run;

struct JavaCase {
  const char* main_class;              // in heapdrift.samples
  std::vector<const char*> leak;       // functions the top suspect's frames must hold
  const char* java_method;             // of those, the Java method (kind java or java-inlined)
  std::vector<const char*> decoys;     // functions that must appear in no suspect
};

void PrintTo(const JavaCase& c, std::ostream* os) { *os << c.main_class; }

class JavaSampleLeaks : public testing::TestWithParam<JavaCase> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("heapdrift-java-e2e-" + std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

bool has_frame(const nlohmann::json& frames, const std::string& function) {
  for (const auto& f : frames) {
    if (f["function"] == function) return true;
  }
  return false;
}

TEST_P(JavaSampleLeaks, LeakIsNamedByItsJavaMethod) {
  const JavaCase& c = GetParam();
  std::string heapdrift = HEAPDRIFT_BIN;
  Result rec = run(heapdrift + " record -o " + dir_.string() + " --sample-rate 256K --interval 1s -- java -cp " +
                   SAMPLES_JAR + " heapdrift.samples." + c.main_class + " 12");
  ASSERT_EQ(rec.status, 0);

  Result leaks = run(heapdrift + " leaks " + dir_.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  const auto& frames = j["suspects"][0]["frames"];
  for (const char* f : c.leak) EXPECT_TRUE(has_frame(frames, f)) << f << " not in\n" << frames.dump(1);
  bool java_named = false;
  for (const auto& f : frames) {
    if (f["function"] == c.java_method) java_named = f["kind"] == "java" || f["kind"] == "java-inlined";
  }
  EXPECT_TRUE(java_named) << c.java_method << " is not a JIT-compiled Java frame in\n" << frames.dump(1);
  for (const auto& suspect : j["suspects"]) {
    for (const char* decoy : c.decoys) EXPECT_FALSE(has_frame(suspect["frames"], decoy)) << decoy << " reported";
  }

  Result report = run(heapdrift + " report " + dir_.string());
  ASSERT_EQ(report.status, 0);
  EXPECT_NE(report.out.find(c.leak.front()), std::string::npos) << report.out;

  fs::path svg = dir_ / "flame.svg";
  ASSERT_EQ(run(heapdrift + " flamegraph " + dir_.string() + " -o " + svg.string()).status, 0);
  std::stringstream text;
  text << std::ifstream(svg).rdbuf();
  EXPECT_NE(text.str().find(c.java_method), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    JavaSamples, JavaSampleLeaks,
    testing::Values(
        JavaCase{"unsafe.UnsafeLeak",
                 {"heapdrift.samples.unsafe.OffHeapIndex.addEntry"},
                 "heapdrift.samples.unsafe.OffHeapIndex.addEntry",
                 {"heapdrift.samples.unsafe.ExternalSorter.sortRun", "heapdrift.samples.unsafe.FrameTransport.sendFrame"}},
        JavaCase{"jni.JniLeak",
                 {"codec::FrameCache::retain", "heapdrift.samples.jni.NativeCodec.encode"},
                 "heapdrift.samples.jni.NativeCodec.encode",
                 {"codec::BlockHasher::digest", "codec::Dictionary::load", "heapdrift.samples.jni.NativeCodec.checksum"}},
        JavaCase{"inflater.InflaterLeak",
                 {"heapdrift.samples.inflater.ResourceArchive.readEntry"},
                 "heapdrift.samples.inflater.ResourceArchive.readEntry",
                 {"heapdrift.samples.inflater.ChunkDecoder.decodeBatch",
                  "heapdrift.samples.inflater.ChunkEncoder.encodeBatch"}},
        JavaCase{"recompile.RecompileLeak",
                 {"heapdrift.samples.recompile.OffHeapJournal.append"},
                 "heapdrift.samples.recompile.OffHeapJournal.append",
                 {"heapdrift.samples.recompile.SpillJournal.spill", "heapdrift.samples.recompile.RingJournal.append"}}),
    [](const testing::TestParamInfo<JavaCase>& info) {
      std::string name = info.param.main_class;
      return name.substr(name.find('.') + 1);
    });

// The leaking method of RecompileLeak is compiled, thrown away and compiled again at
// another address half-way through the run: its samples from before and after are
// still one site, named the same, with blocks born all along the run.
TEST(JavaRecompilation, TheRecompiledMethodStaysOneSiteFromStartToEnd) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-java-recompile-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  ASSERT_EQ(run(heapdrift + " record -o " + dir.string() + " --sample-rate 256K --interval 1s -- java -cp " +
                SAMPLES_JAR + " heapdrift.samples.recompile.RecompileLeak 12")
                .status,
            0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  auto j = nlohmann::json::parse(leaks.out);
  int sites_with_method = 0;
  for (const auto& s : j["suspects"]) {
    if (!has_frame(s["frames"], "heapdrift.samples.recompile.OffHeapJournal.append")) continue;
    ++sites_with_method;
    // Born in (nearly) every tenth of the run, before and after the recompilation at 5 s.
    int bins = 0;
    for (double b : s["age_histogram_bytes"]) bins += b > 0;
    EXPECT_GE(bins, 8) << s["age_histogram_bytes"];
    // Live already in the snapshot at 3 s, before the recompilation.
    EXPECT_GT(s["live_bytes"][2].get<double>(), 0);
    for (const auto& f : s["frames"]) EXPECT_NE(f["function"], "[unknown]") << "an unnamed JIT frame";
  }
  EXPECT_EQ(sites_with_method, 1) << leaks.out;
  fs::remove_all(dir);
}

}  // namespace

namespace {

// 300 alternating frames of DeepStack.descend/ascend over an off-heap leak: the walk
// goes through JIT frames by frame pointers, stops at the depth limit, never faults.
TEST(JavaDeepStack, WalkCrossesJitFramesAndStopsAtTheDepthLimit) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-java-deep-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  Result rec = run(heapdrift + " record -o " + dir.string() + " --sample-rate 64K --interval 1s -- java -cp " +
                   DEEP_STACK_JAR + " DeepStack 8");
  ASSERT_EQ(rec.status, 0) << "the JVM must run to its end under the shim";
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  auto j = nlohmann::json::parse(leaks.out);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  const auto& frames = j["suspects"][0]["frames"];
  EXPECT_EQ(frames[0]["function"], "DeepStack.leaf") << frames.dump(1);
  int recursion = 0;
  for (const auto& f : frames) {
    if (f["function"] == "DeepStack.descend" || f["function"] == "DeepStack.ascend") {
      ++recursion;
      EXPECT_TRUE(f["kind"] == "java" || f["kind"] == "java-inlined") << f.dump();
    }
  }
  // 64 return addresses at most (the default depth), each possibly expanded into
  // inlined frames: far more than the few a walk stopped by JIT code would give.
  EXPECT_GE(recursion, 50) << frames.dump(1);
  fs::remove_all(dir);
}

}  // namespace

namespace {

// In exact mode every allocation is sampled, including the realloc glibc's
// pthread_getattr_np makes under the thread's lock while HotSpot asks for its threads'
// stacks: the shim must not take that lock again (it once did, and hung every JVM).
TEST(JavaExactMode, JvmStartsAndExitsWhenEveryAllocationIsSampled) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-java-exact-" + std::to_string(getpid()));
  fs::remove_all(dir);
  Result rec = run("timeout -s KILL 60 " + std::string(HEAPDRIFT_BIN) + " record -o " + dir.string() +
                   " --sample-rate 1 --interval 0 -- java -version");
  EXPECT_EQ(rec.status, 0) << "137 means it hung and was killed";
  Result leaks = run(std::string(HEAPDRIFT_BIN) + " report " + dir.string());
  EXPECT_EQ(leaks.status, 0);
  fs::remove_all(dir);
}

}  // namespace
