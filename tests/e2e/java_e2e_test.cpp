// Records each Java sample under `heapdrift record -- java ...` (the real JVM, the
// shim and the JIT recorder) and checks that the leak is named by its Java method:
// the top suspect's frames hold the leaking method as JIT-compiled (or inlined) Java,
// no decoy is reported, and report and flamegraph name it too.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter_layout.h"
#include "remove_recording.h"
#include "run_command.h"

namespace {

namespace fs = std::filesystem;

using heapdrift::e2e::Result;
using heapdrift::e2e::remove_recording;
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
    if (!HasFailure()) remove_recording(dir_);
  }
  fs::path dir_;
};

bool has_frame(const nlohmann::json& frames, const std::string& function) {
  for (const auto& f : frames) {
    if (f["function"] == function) return true;
  }
  return false;
}

// The snapshot files of every process recorded in `dir`, in the order of their paths
// (a process's in the order it wrote them).
std::vector<fs::path> snapshot_files(const fs::path& dir) {
  std::vector<fs::path> snapshots;
  for (const auto& process : fs::directory_iterator(dir)) {
    if (!process.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(process.path())) {
      if (f.path().extension() == ".hds") snapshots.push_back(f.path());
    }
  }
  std::sort(snapshots.begin(), snapshots.end());
  return snapshots;
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
  EXPECT_TRUE(j["code_growth"].empty()) << j["code_growth"].dump(1);  // recompiled, but not without end
  for (const auto& suspect : j["suspects"]) {
    for (const char* decoy : c.decoys) EXPECT_FALSE(has_frame(suspect["frames"], decoy)) << decoy << " reported";
  }
  for (const auto& caller : j["caller_leaks"]) {
    for (const auto& site : caller["sites"]) {
      for (const char* decoy : c.decoys) EXPECT_FALSE(has_frame(site["frames"], decoy)) << decoy << " reported";
    }
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

// Most JVMs are started by a script (a server's start script, a build tool), not by
// the command the user hands `record`. Here `sh -c 'java ...; true'` forks the JVM: it
// must get the recorder and frame pointers all the same, so that its leak is named by
// its Java method under `children`. (record once set them up only when the command
// itself was `java`: the leak's Java callers were then unnamed addresses.)
TEST(JavaStartedByAScript, ItsLeakIsNamedByItsJavaMethod) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-java-script-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  std::string java = std::string("java -cp ") + SAMPLES_JAR + " heapdrift.samples.jni.JniLeak 12";
  Result rec = run(heapdrift + " record -o " + dir.string() + " --sample-rate 256K --interval 1s -- sh -c '" + java +
                   "; true'");
  ASSERT_EQ(rec.status, 0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  EXPECT_EQ(j["command"].get<std::string>().rfind("sh -c", 0), 0u) << j["command"];
  ASSERT_EQ(j["children"].size(), 1u) << leaks.out;
  const auto& child = j["children"][0];
  EXPECT_EQ(child["command"], java);
  ASSERT_FALSE(child["suspects"].empty()) << leaks.out;
  const auto& frames = child["suspects"][0]["frames"];
  EXPECT_TRUE(has_frame(frames, "codec::FrameCache::retain")) << frames.dump(1);
  bool java_named = false;
  for (const auto& f : frames) {
    if (f["function"] == "heapdrift.samples.jni.NativeCodec.encode") {
      java_named = f["kind"] == "java" || f["kind"] == "java-inlined";
    }
  }
  EXPECT_TRUE(java_named) << "NativeCodec.encode is not a JIT-compiled Java frame in\n" << frames.dump(1);
  remove_recording(dir);
}

// A JVM that loads the shim by hand, without the JIT recorder, and has the JDK write its
// own perf map at exit: the shim copies it with the exit snapshot, and it names the
// Java frames of the blocks in every snapshot (the code there was never reused).
TEST(JavaWithoutTheRecorder, ItsLeakIsNamedByTheJdksPerfMapWrittenAtExit) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-java-perfmap-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const fs::path shim = fs::path(HEAPDRIFT_BIN).parent_path() / "libheapdrift.so";
  Result rec = run("env -u JAVA_TOOL_OPTIONS LD_PRELOAD=" + shim.string() + " HEAPDRIFT_OUTPUT=" + dir.string() +
                   " HEAPDRIFT_SAMPLE_RATE=256K HEAPDRIFT_INTERVAL=1s java -XX:+UnlockDiagnosticVMOptions"
                   " -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer -cp " + SAMPLES_JAR +
                   " heapdrift.samples.jni.JniLeak 12");
  ASSERT_EQ(rec.status, 0);
  Result leaks = run(std::string(HEAPDRIFT_BIN) + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  auto j = nlohmann::json::parse(leaks.out);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  const auto& frames = j["suspects"][0]["frames"];
  EXPECT_TRUE(has_frame(frames, "codec::FrameCache::retain")) << frames.dump(1);
  // The native method's wrapper, and its Java caller: NativeCodec.encode, or runSender
  // where the JIT inlined encode into it (JDK 25 does; a perf map has no inlining).
  bool wrapper_named = false, caller_named = false;
  for (const auto& f : frames) {
    if (f["kind"] != "java") continue;
    wrapper_named |= f["function"] == "heapdrift.samples.jni.NativeCodec.encode0";
    caller_named |= f["function"] == "heapdrift.samples.jni.NativeCodec.encode" ||
                    f["function"] == "heapdrift.samples.jni.JniLeak.runSender";
  }
  EXPECT_TRUE(wrapper_named && caller_named) << "no JIT-compiled Java frames in\n" << frames.dump(1);
  remove_recording(dir);
}

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
  remove_recording(dir);
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
  remove_recording(dir);
}

}  // namespace

namespace {

// A JNI library loaded through a class loader that is then collected: the JVM unloads
// it (dlclose), and the 4 MiB its JNI_OnLoad left behind must still be named by its
// function, from the module the snapshot kept, not be unnamed addresses.
TEST(JavaUnloadedLibrary, ItsLeakIsNamedAfterTheJvmUnloadedIt) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-java-unload-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string heapdrift = HEAPDRIFT_BIN;
  Result rec = run(heapdrift + " record -o " + dir.string() + " --sample-rate 64K --interval 1s -- java -Dunloadleak.lib=" +
                   UNLOADLEAK_LIB + " -cp " + UNLOADED_LIBRARY_LEAK_JAR + " UnloadedLibraryLeak " + UNLOAD_PLUGIN_JAR);
  ASSERT_EQ(rec.status, 0) << "3: the JVM never unloaded the library\n" << rec.out;
  ASSERT_NE(rec.out.find("unloaded"), std::string::npos) << rec.out;

  // The exit snapshot of the JVM's process (the recording's only one).
  const std::vector<fs::path> snapshots = snapshot_files(dir);
  ASSERT_FALSE(snapshots.empty()) << "no snapshot in " << dir;
  const fs::path& last = snapshots.back();
  const fs::path folded = dir / "out.folded";
  ASSERT_EQ(run(heapdrift + " export " + last.string() + " --format folded -o " + folded.string()).status, 0);
  std::ifstream in(folded);
  double leaked = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("unload_leak_retain") == std::string::npos) continue;
    EXPECT_NE(line.find("JNI_OnLoad;(anonymous namespace)::unload_leak_retain"), std::string::npos) << line;
    leaked += std::stod(line.substr(line.rfind(' ') + 1));
  }
  // 64 blocks of 64 KiB, sampled every 64 KiB on average: an estimate of 4 MiB.
  EXPECT_GT(leaked, 2 << 20) << "the unloaded library's leak is not named";
  remove_recording(dir);
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
  remove_recording(dir);
}

// A JVM run as a service may be under a seccomp filter that kills it for a debugger's
// system call: the shim once read the JVM's counters at its exit snapshot with
// process_vm_readv, and the JVM died of it, with no snapshot written.
TEST(JavaUnderSeccomp, AFilterThatKillsForDebuggersCallsLetsTheJvmExitWithItsCounters) {
  fs::path dir = fs::temp_directory_path() / ("heapdrift-java-seccomp-" + std::to_string(getpid()));
  fs::remove_all(dir);
  Result rec =
      run(std::string(HEAPDRIFT_BIN) + " record -o " + dir.string() + " -- " + SECCOMP_KILL + " java -version");
  EXPECT_EQ(rec.status, 0) << rec.out;
  const std::vector<fs::path> snapshots = snapshot_files(dir);  // the JVM's exit snapshot, the only one
  ASSERT_EQ(snapshots.size(), 1u) << rec.out;
  Result dump = run(std::string(HEAPDRIFT_BIN) + " dump " + snapshots[0].string());
  ASSERT_EQ(dump.status, 0);
  // Read after the JVM removed its hsperfdata file, from the mapping it keeps.
  std::smatch threads;
  ASSERT_TRUE(std::regex_search(dump.out, threads, std::regex(R"(\n  jvm\.threads +(\d+)\n)"))) << dump.out;
  EXPECT_GT(std::stoi(threads[1]), 0);
  // The heap's resident bytes, read from /proc/self/pagemap: the filter kills for mincore.
  std::smatch resident;
  ASSERT_TRUE(std::regex_search(dump.out, resident, std::regex(R"(\n  jvm\.heap_resident_bytes +(\d+)\n)")))
      << dump.out;
  EXPECT_GT(std::stoll(resident[1]), 0);
  if (!HasFailure()) remove_recording(dir);
}

// JVMTI gives names in the JVM's modified UTF-8, where a character beyond U+FFFF is
// two 3-byte surrogates that no UTF-8 reader takes: `leaks --json` stopped with "invalid
// UTF-8 byte" on such a method. The agent makes its names UTF-8: in every output, and
// in the perf map it writes for perf.
TEST(JavaNonBmpName, TheLeakingMethodIsNamedInUtf8) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-non-bmp-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string heapdrift = HEAPDRIFT_BIN, method = "NonBmpNameLeak.leak\xF0\x9D\x91\xA5";
  Result rec = run(heapdrift + " record -o " + dir.string() + " --sample-rate 64K --interval 1s -- java -cp " +
                   NON_BMP_NAME_LEAK_JAR + " NonBmpNameLeak 8");
  ASSERT_EQ(rec.status, 0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0) << leaks.out;
  auto j = nlohmann::json::parse(leaks.out);
  ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
  EXPECT_TRUE(has_frame(j["suspects"][0]["frames"], method)) << j["suspects"][0]["frames"].dump(1);
  Result report = run(heapdrift + " report " + dir.string());
  EXPECT_NE(report.out.find(method), std::string::npos) << report.out;
  fs::path svg = dir / "flame.svg";
  ASSERT_EQ(run(heapdrift + " flamegraph " + dir.string() + " -o " + svg.string()).status, 0);
  std::stringstream text;
  text << std::ifstream(svg).rdbuf();
  EXPECT_NE(text.str().find(method), std::string::npos);
  int maps = 0;
  for (const auto& process : fs::directory_iterator(dir)) {
    const fs::path perf_map = "/tmp/perf-" + process.path().filename().string() + ".map";
    if (!process.is_directory() || !fs::exists(perf_map)) continue;
    ++maps;
    std::stringstream map;
    map << std::ifstream(perf_map).rdbuf();
    EXPECT_NE(map.str().find(method + "(I)V"), std::string::npos) << "the JIT compiled it: " << perf_map;
    fs::remove(perf_map);
  }
  EXPECT_EQ(maps, 1);
  if (!HasFailure()) remove_recording(dir);
}

}  // namespace

namespace {

// Interpreted frames: InterpretedLeak leaks from InterpretedLeak.retain, called by
// register, called by main, and allocates-and-frees as much from scratch (a decoy).
class InterpretedFrames : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("heapdrift-java-interp-" + std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) remove_recording(dir_);
  }

  // Records `java JVM_OPTIONS -cp ... InterpretedLeak 6 WARM_UP` and returns `leaks --json`.
  nlohmann::json record_and_rank(const std::string& java, const std::string& jvm_options, int warm_up = 0) {
    std::string heapdrift = HEAPDRIFT_BIN;
    Result rec = run(heapdrift + " record -o " + dir_.string() + " --sample-rate 64K --interval 1s -- " + java + " " +
                     jvm_options + " -cp " + INTERPRETED_LEAK_JAR + " InterpretedLeak 6 " + std::to_string(warm_up));
    EXPECT_EQ(rec.status, 0);
    Result leaks = run(heapdrift + " leaks " + dir_.string() + " --json");
    EXPECT_EQ(leaks.status, 0);
    return nlohmann::json::parse(leaks.out);
  }

  static const nlohmann::json* frame(const nlohmann::json& frames, const std::string& function) {
    for (const auto& f : frames) {
      if (f["function"] == function) return &f;
    }
    return nullptr;
  }

  static void expect_no_decoy(const nlohmann::json& j) {
    for (const auto& suspect : j["suspects"]) {
      EXPECT_EQ(frame(suspect["frames"], "InterpretedLeak.scratch"), nullptr) << suspect.dump(1);
    }
  }

  // Everything interpreted: the leaking method and its callers are named by the
  // Method* their frames hold, innermost first, with their signatures.
  void expect_interpreted_chain_named(const nlohmann::json& j) {
    ASSERT_FALSE(j["suspects"].empty()) << j.dump(1);
    const auto& frames = j["suspects"][0]["frames"];
    std::vector<std::string> chain;
    for (const auto& f : frames) {
      if (f["kind"] == "java-interpreted") chain.push_back(f["function"]);
    }
    std::vector<std::string> expected = {"InterpretedLeak.retain", "InterpretedLeak.register", "InterpretedLeak.main"};
    ASSERT_GE(chain.size(), expected.size()) << frames.dump(1);
    // The JDK's Unsafe frames may lead (when not cut as allocator frames); ours follow in order.
    std::vector<std::string> tail(chain.end() - static_cast<long>(expected.size()), chain.end());
    EXPECT_EQ(tail, expected) << frames.dump(1);
    for (const auto& f : frames) EXPECT_NE(f["function"], "Interpreter") << "an unnamed interpreted frame";
    const nlohmann::json* retain = frame(frames, "InterpretedLeak.retain");
    ASSERT_NE(retain, nullptr);
    EXPECT_NE(retain->dump().find("(I)J"), std::string::npos) << retain->dump();
    expect_no_decoy(j);
  }

  fs::path dir_;
};

TEST_F(InterpretedFrames, UnderXintTheLeakAndItsCallersAreNamed) {
  nlohmann::json j = record_and_rank("java", "-Xint");
  expect_interpreted_chain_named(j);

  std::string heapdrift = HEAPDRIFT_BIN;
  Result report = run(heapdrift + " report " + dir_.string());
  EXPECT_NE(report.out.find("InterpretedLeak.retain"), std::string::npos) << report.out;
  fs::path svg = dir_ / "flame.svg";
  ASSERT_EQ(run(heapdrift + " flamegraph " + dir_.string() + " -o " + svg.string()).status, 0);
  std::stringstream text;
  text << std::ifstream(svg).rdbuf();
  EXPECT_NE(text.str().find("InterpretedLeak.retain"), std::string::npos);
  EXPECT_NE(text.str().find("interpreted Java"), std::string::npos) << "no legend entry for interpreted frames";
}

// Mixed mode, the leaking method excluded from compilation (so never inlined either),
// its caller JIT-compiled during a warm-up: the leak is an interpreted frame called from
// compiled code (the walk goes from the interpreter frame to a JIT frame and on), and
// is still named.
TEST_F(InterpretedFrames, AnExcludedMethodIsNamedAmongCompiledOnes) {
  nlohmann::json j =
      record_and_rank("java", "-XX:CompileCommand=quiet -XX:CompileCommand=exclude,InterpretedLeak::retain", 1);
  ASSERT_FALSE(j["suspects"].empty()) << j.dump(1);
  const auto& frames = j["suspects"][0]["frames"];
  const nlohmann::json* retain = frame(frames, "InterpretedLeak.retain");
  ASSERT_NE(retain, nullptr) << frames.dump(1);
  EXPECT_EQ((*retain)["kind"], "java-interpreted");
  const nlohmann::json* caller = frame(frames, "InterpretedLeak.register");
  ASSERT_NE(caller, nullptr) << frames.dump(1);
  EXPECT_TRUE((*caller)["kind"] == "java" || (*caller)["kind"] == "java-inlined") << caller->dump();
  EXPECT_NE(frame(frames, "InterpretedLeak.main"), nullptr) << frames.dump(1);
  expect_no_decoy(j);
}

// The JDKs under /usr/lib/jvm other than the default 17, each with its feature release
// (JAVA_VERSION="25.0.3" in its `release` file).
std::vector<std::pair<std::string, int>> other_jdks() {
  std::vector<std::pair<std::string, int>> found;
  std::error_code ec;
  for (const auto& jdk : fs::directory_iterator("/usr/lib/jvm", ec)) {
    std::ifstream release(jdk.path() / "release");
    std::string text((std::istreambuf_iterator<char>(release)), std::istreambuf_iterator<char>());
    size_t at = text.find("JAVA_VERSION=\"");
    if (!fs::exists(jdk.path() / "bin/java") || jdk.is_symlink() || at == std::string::npos) continue;
    int feature = std::atoi(text.c_str() + at + 14);
    if (feature != 17) found.emplace_back((jdk.path() / "bin/java").string(), feature);
  }
  return found;
}

// Other JDKs, where the machine has any: a release whose layout was checked
// (perfmap/interpreter_layout.h) names its interpreted frames as 17 does; any other
// keeps them `Interpreter` (jvm-generated), and nothing breaks.
TEST_F(InterpretedFrames, OtherJdksNameThemWhereTheirLayoutWasChecked) {
  std::vector<std::pair<std::string, int>> jdks = other_jdks();
  if (jdks.empty()) GTEST_SKIP() << "no JDK other than 17 under /usr/lib/jvm";
  for (const auto& [java, feature] : jdks) {
    SCOPED_TRACE(java);
    fs::remove_all(dir_);
    nlohmann::json j = record_and_rank(java, "-Xint");
    if (feature >= heapdrift::perfmap::kOldestCheckedJdk && feature <= heapdrift::perfmap::kNewestCheckedJdk) {
      expect_interpreted_chain_named(j);
      continue;
    }
    ASSERT_FALSE(j["suspects"].empty()) << j.dump(1);
    const auto& frames = j["suspects"][0]["frames"];
    EXPECT_EQ(frame(frames, "InterpretedLeak.retain"), nullptr) << frames.dump(1);
    const nlohmann::json* interpreter = frame(frames, "Interpreter");
    ASSERT_NE(interpreter, nullptr) << frames.dump(1);
    EXPECT_EQ((*interpreter)["kind"], "jvm-generated");
  }
}

// The foreign memory API: a leak through it is named by the code that asked for the
// segment, not by the JDK's implementation of the API (allocator frames), and the decoy
// that closes its arena is no suspect. On the default JDK 17 (the API's incubator
// form) and on every JDK 22 or later found under /usr/lib/jvm (its final form); each
// program is compiled here by its own JDK.
TEST(ForeignMemory, ALeakIsNamedByTheCodeThatAskedForTheSegment) {
  // The build's JDK 17 by the java beside its javac, whatever java PATH finds first.
  const std::string java17 = (fs::path(JAVAC).parent_path() / "java").string();
  std::vector<std::pair<std::string, int>> jdks = {{java17, 17}};
  for (const auto& jdk : other_jdks()) {
    if (jdk.second >= 22) jdks.push_back(jdk);
  }
  const std::string heapdrift = HEAPDRIFT_BIN;
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-foreign-" + std::to_string(getpid()));
  for (const auto& [java, feature] : jdks) {
    SCOPED_TRACE(java);
    fs::remove_all(dir);
    fs::create_directories(dir / "classes");
    bool incubator = feature < 22;
    std::string javac = (fs::path(java).parent_path() / "javac").string();
    std::string modules = incubator ? " --add-modules jdk.incubator.foreign" : "";
    std::string source = std::string(JAVA_TEST_SOURCES) + (incubator ? "/foreign_incubator" : "/foreign") + "/ForeignLeak.java";
    ASSERT_EQ(run(javac + modules + " -nowarn -d " + (dir / "classes").string() + " " + source + " 2>&1").status, 0);
    Result rec = run(heapdrift + " record -o " + (dir / "rec").string() + " --sample-rate 256K --interval 1s -- " + java +
                     modules + " -cp " + (dir / "classes").string() + " ForeignLeak 6");
    ASSERT_EQ(rec.status, 0) << rec.out;
    Result leaks = run(heapdrift + " leaks " + (dir / "rec").string() + " --json");
    ASSERT_EQ(leaks.status, 0);
    auto j = nlohmann::json::parse(leaks.out);
    ASSERT_FALSE(j["suspects"].empty()) << leaks.out;
    const auto& first = j["suspects"][0]["frames"][0];
    EXPECT_EQ(first["function"], "ForeignLeak.openSession") << j["suspects"][0].dump(1);
    EXPECT_TRUE(first["kind"] == "java" || first["kind"] == "java-inlined" || first["kind"] == "java-interpreted")
        << first.dump();
    for (const auto& suspect : j["suspects"]) EXPECT_FALSE(has_frame(suspect["frames"], "ForeignLeak.scratch"));
    if (!testing::Test::HasFailure()) remove_recording(dir);
  }
}

// Records `java ARGS` with a sample every 64 KiB and a snapshot a second into `dir`, and
// returns `leaks --json` of it (empty, and the test failed, when a command fails).
nlohmann::json record_java_leaks(const fs::path& dir, const std::string& java_args,
                                 const std::string& sample_rate = "64K") {
  fs::remove_all(dir);
  const std::string heapdrift = HEAPDRIFT_BIN;
  Result rec = run(heapdrift + " record -o " + dir.string() + " --sample-rate " + sample_rate +
                   " --interval 1s -- java " + java_args);
  EXPECT_EQ(rec.status, 0);
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  EXPECT_EQ(leaks.status, 0);
  return rec.status == 0 && leaks.status == 0 ? nlohmann::json::parse(leaks.out) : nlohmann::json::object();
}

// `text` with its folded lines joined: where a note's lines break depends on the names
// of the sites that share it.
std::string unfolded(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    out += ' ';
    while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
  }
  return out;
}

// JNI global references that are never deleted: HotSpot keeps them in blocks that it
// allocates when its blocks are full, so the leak is found, but charged to whichever
// call found them full; the suspect says so, and how to count the references.
TEST(JniGlobalReferences, TheirLeakIsFoundAndSaysHowTheBlocksAreCharged) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-globalref-" + std::to_string(getpid()));
  nlohmann::json j = record_java_leaks(
      dir, std::string("-Dglobalrefleak.lib=") + GLOBALREFLEAK_LIB + " -cp " + GLOBAL_REF_LEAK_JAR + " GlobalRefLeak 6");
  ASSERT_FALSE(j["suspects"].empty()) << j.dump(1);
  const auto& top = j["suspects"][0];
  EXPECT_TRUE(has_frame(top["frames"], "jni_NewGlobalRef")) << top.dump(1);
  ASSERT_TRUE(top.contains("note")) << top.dump(1);
  EXPECT_NE(top["note"].get<std::string>().find("JNI global refs"), std::string::npos) << top["note"];
  Result text = run(std::string(HEAPDRIFT_BIN) + " leaks " + dir.string());
  EXPECT_NE(text.out.find("note: JNI global references"), std::string::npos) << text.out;
  Result report = run(std::string(HEAPDRIFT_BIN) + " report " + dir.string());
  EXPECT_NE(report.out.find("Notes on sites above"), std::string::npos) << report.out;
  EXPECT_NE(unfolded(report.out).find("JNI global refs"), std::string::npos) << report.out;
  const std::vector<fs::path> snapshots = snapshot_files(dir);  // of the JVM's process, the only one
  ASSERT_GE(snapshots.size(), 3u);
  Result diff = run(std::string(HEAPDRIFT_BIN) + " diff " + snapshots.front().string() + " " +
                    snapshots[snapshots.size() - 2].string());
  EXPECT_NE(unfolded(diff.out).find("JNI global refs"), std::string::npos) << diff.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// One leak over four native sites of one Java caller, each site too slow to be a
// suspect in a 12 s run: the sites are judged together, as SessionLeak.open's leak.
// (One site may pass on its own by chance; it is then a suspect, and the others are
// still judged together.)
TEST(CallerLeaks, FourNativeSitesOfOneJavaMethodLeakTogether) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-session-" + std::to_string(getpid()));
  nlohmann::json j = record_java_leaks(
      dir, std::string("-Dsessionleak.lib=") + SESSIONLEAK_LIB + " -cp " + SESSION_LEAK_JAR + " SessionLeak 12");
  const nlohmann::json* group = nullptr;
  for (const auto& c : j["caller_leaks"]) {
    if (c["caller"]["function"] == "SessionLeak.open") group = &c;
  }
  ASSERT_NE(group, nullptr) << j.dump(1);
  EXPECT_GE((*group)["sites"].size(), 2u);
  EXPECT_GT((*group)["growth_bytes"].get<double>(), 0);
  for (const char* f : {"new_record", "new_name", "new_buffer", "new_index_entry"}) {
    bool found = false;
    for (const auto& site : (*group)["sites"]) found |= site["frames"][0]["function"] == f;
    for (const auto& suspect : j["suspects"]) found |= suspect["frames"][0]["function"] == f;
    EXPECT_TRUE(found) << f << " is neither a suspect nor in SessionLeak.open's sites\n" << j.dump(1);
  }
  Result text = run(std::string(HEAPDRIFT_BIN) + " leaks " + dir.string());
  EXPECT_NE(text.out.find("Leaking over several sites of one caller"), std::string::npos) << text.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// Threads started and never ended: the JVM's blocks for each are found as a leak of the
// method that starts them (a suspect, or a caller's group of sites), with the note that
// says what they are, and their stacks in the note on RSS.
TEST(ThreadsNeverEnded, TheirStarterLeaksAndTheNoteSaysWhy) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-threads-" + std::to_string(getpid()));
  // 16 KiB: the threads' blocks, some 5 MiB in all, are spread over 9 sites; at 64 KiB
  // they were found in a quiet run, not always beside two busy cores.
  nlohmann::json j = record_java_leaks(dir, std::string("-cp ") + THREAD_LEAK_JAR + " ThreadLeak 8", "16K");
  const nlohmann::json* found = nullptr;
  for (const auto& c : j["caller_leaks"]) {
    if (c["caller"]["function"] == "ThreadLeak.startWorker") found = &c;
  }
  for (const auto& suspect : j["suspects"]) {
    if (!found && has_frame(suspect["frames"], "ThreadLeak.startWorker") && suspect.contains("note")) found = &suspect;
  }
  ASSERT_NE(found, nullptr) << j.dump(1);
  ASSERT_TRUE(found->contains("note")) << found->dump(1);
  EXPECT_NE((*found)["note"].get<std::string>().find("never end"), std::string::npos) << (*found)["note"];
  // Their stacks, mapped directly, are most of RSS's growth: the note on growth outside
  // malloc gives the threads gained what the JVM's spaces leave, some 30 KiB each.
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  EXPECT_NE(j["note"].get<std::string>().find("threads the JVM gained may hold"), std::string::npos) << j["note"];
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

}  // namespace

namespace {

// The leak heapdrift was made for, in a real JVM (samples/thread_registry_leak.cpp is
// its twin without one): a profiler agent prunes its thread maps with an inverted
// condition while the JVM's threads come and go. The agent runs in JVMTI callbacks on
// the JVM's own threads; its site is the top suspect, reached from the JVM's code that
// posts the event, and neither its per-thread scratch (freed at each thread's end) nor
// its big table (kept, flat) is reported. (The JVM may have suspects of its own in so
// short a run: the monitors that Thread.join inflates, which it frees in batches.)
TEST(ProfilerAgentThreadMaps, TheAgentsBookkeepingIsTheTopSuspect) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-agent-" + std::to_string(getpid()));
  nlohmann::json j = record_java_leaks(
      dir, std::string("-agentpath:") + THREADMAPAGENT_LIB + " -cp " + THREAD_CHURN_JAR + " ThreadChurn 8", "16K");
  ASSERT_FALSE(j["suspects"].empty()) << j.dump(1);
  const auto& frames = j["suspects"][0]["frames"];
  EXPECT_EQ(frames[0]["function"], "profiler::ThreadMaps::remember") << frames.dump(1);
  EXPECT_EQ(frames[0]["module"], "libthreadmapagent.so");
  EXPECT_EQ(frames[0]["kind"], "native");
  bool posted_by_the_jvm = false;
  for (const auto& f : frames) {
    if (f["function"] == "JvmtiExport::post_thread_start") posted_by_the_jvm = f["kind"] == "jvm";
  }
  EXPECT_TRUE(posted_by_the_jvm) << frames.dump(1);
  EXPECT_TRUE(j["code_growth"].empty()) << j["code_growth"].dump(1);
  for (const auto& suspect : j["suspects"]) {
    EXPECT_FALSE(has_frame(suspect["frames"], "profiler::ThreadMaps::scratch_for")) << suspect.dump(1);
    EXPECT_FALSE(has_frame(suspect["frames"], "profiler::load_symbol_table")) << suspect.dump(1);
  }
  for (const auto& caller : j["caller_leaks"]) {
    for (const auto& site : caller["sites"]) {
      EXPECT_FALSE(has_frame(site["frames"], "profiler::ThreadMaps::scratch_for")) << caller.dump(1);
      EXPECT_FALSE(has_frame(site["frames"], "profiler::load_symbol_table")) << caller.dump(1);
    }
  }
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

}  // namespace

namespace {

// The code cache's own leak (the code-cache write-up this product was born from): a
// native method registered again and again gets a new compiled wrapper each time, and
// JDK 17 keeps the old ones. No malloc site grows; `leaks` names the method whose
// compiled versions keep growing, and --fail-on-leak fails on it.
TEST(CompiledCodeGrowth, AMethodRegisteredWithoutEndIsNamed) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-code-" + std::to_string(getpid()));
  nlohmann::json j =
      record_java_leaks(dir, std::string("-cp ") + REREGISTER_JAR + " Reregister " + REREGISTER_LIB + " 8", "512K");
  ASSERT_EQ(j["code_growth"].size(), 1u) << j.dump(1);
  const auto& code = j["code_growth"][0];
  EXPECT_EQ(code["function"], "Reregister.work");
  EXPECT_EQ(code["signature"], "(J)J");
  EXPECT_EQ(code["kind"], "java");
  EXPECT_GE(code["versions"].get<int>(), 100) << code.dump();  // some 1,500 here, one every 5 ms
  EXPECT_GE(code["versions_growth"].get<int>(), 50) << code.dump();
  EXPECT_GT(code["code_bytes"].get<int>(), 0);
  EXPECT_EQ(code["class_copies"], 1) << code.dump();  // one method, compiled again and again
  Result text = run(std::string(HEAPDRIFT_BIN) + " leaks " + dir.string() + " --fail-on-leak");
  EXPECT_EQ(text.status, 3);
  EXPECT_NE(text.out.find("Compiled code that keeps growing (the JIT's code cache):\n    Reregister.work(J)J  "),
            std::string::npos)
      << text.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// Class loaders kept for ever, each with a class of many methods: RSS grows outside
// malloc, and leaks says from the JVM's own counters (its hsperfdata, which the shim
// reads at each snapshot) that Metaspace took it, with no flag added to the JVM.
TEST(MetaspaceGrowth, TheJvmsOwnCountersSayMetaspaceTookIt) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-metaspace-" + std::to_string(getpid()));
  nlohmann::json j =
      record_java_leaks(dir, std::string("-cp ") + CLASS_LOADER_LEAK_JAR + " ClassLoaderLeak 8", "512K");
  ASSERT_TRUE(j.contains("jvm")) << j.dump(1);
  const nlohmann::json& jvm = j["jvm"];
  auto growth = [&](const char* key) { return jvm[key]["last"].get<double>() - jvm[key]["first"].get<double>(); };
  EXPECT_GE(growth("metaspace_committed_bytes"), 32.0 * (1 << 20)) << jvm.dump();  // some 180 MiB here
  EXPECT_GE(growth("classes"), 5000) << jvm.dump();                                  // some 25,000
  EXPECT_GT(jvm["threads"]["last"].get<double>(), 0) << jvm.dump();
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  const std::string note = j["note"];
  EXPECT_NE(note.find("it is outside malloc"), std::string::npos) << note;
  EXPECT_NE(note.find("Metaspace, which holds the classes' metadata, took"), std::string::npos) << note;
  // report shows the latest snapshot, written at exit after the JVM removed its file,
  // which it keeps mapped: the shim read the counters from memory.
  Result report = run(std::string(HEAPDRIFT_BIN) + " report " + dir.string());
  EXPECT_EQ(report.status, 0) << report.out;
  const std::regex counters(R"(The JVM's own counters\n)"
                            R"(  Java heap committed +\S+ \S+  updated by the JVM at each GC\n)"
                            R"(  Metaspace committed +\d)");
  EXPECT_TRUE(std::regex_search(report.out, counters)) << report.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// A heap committed whole from the start (-Xms = -Xmx) that keeps 160 MiB of arrays: its
// committed bytes stay flat, and the shim's count of its resident pages (HotSpot's
// table says where the heap is) tells the RSS growth as the heap's.
TEST(JavaHeapFirstUse, ItsResidentPagesTellTheRssGrowthAsTheHeaps) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-heap-first-use-" + std::to_string(getpid()));
  constexpr double kMiB = 1 << 20;
  nlohmann::json j = record_java_leaks(
      dir, std::string("-Xms384m -Xmx384m -XX:+UseG1GC -cp ") + HEAP_FIRST_USE_JAR + " HeapFirstUse 6 160", "512K");
  ASSERT_TRUE(j.contains("jvm")) << j.dump(1);
  const nlohmann::json& jvm = j["jvm"];
  ASSERT_TRUE(jvm.contains("heap_resident_bytes")) << jvm.dump();
  const double committed = jvm["heap_committed_bytes"]["last"], first = jvm["heap_resident_bytes"]["first"],
               last = jvm["heap_resident_bytes"]["last"];
  EXPECT_EQ(jvm["heap_committed_bytes"]["first"], committed) << jvm.dump();
  // What the program keeps is resident at the end, and the heap holds no more than it committed.
  EXPECT_GE(last, 160 * kMiB) << jvm.dump();
  EXPECT_LE(last, committed) << jvm.dump();
  EXPECT_GE(last - first, 100 * kMiB) << jvm.dump();
  EXPECT_TRUE(j["suspects"].empty()) << j["suspects"].dump(1);
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  const std::string note = unfolded(j["note"]);
  EXPECT_NE(note.find("it is outside malloc"), std::string::npos) << note;
  EXPECT_NE(note.find("The Java heap took"), std::string::npos) << note;
  EXPECT_NE(note.find("in pages of what it had committed before"), std::string::npos) << note;
  Result report = run(std::string(HEAPDRIFT_BIN) + " report " + dir.string());
  EXPECT_EQ(report.status, 0) << report.out;
  const std::regex resident(R"(\n  other anonymous memory +\S+ \S+  .*\n)"
                            R"(    Java heap, resident +(\S+) MiB  \(the pages the heap has used; 384 MiB committed\)\n)");
  std::smatch shown;
  ASSERT_TRUE(std::regex_search(report.out, shown, resident)) << report.out;
  EXPECT_GE(std::stod(shown[1]), 160) << report.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// The same with -XX:-UsePerfData, common in containers: the JVM has no counters to read,
// but the shim still finds its heap and counts its pages, and leaks and report tell them.
TEST(JavaHeapFirstUse, WithoutTheJvmsCountersItsResidentPagesAreStillTold) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-heap-no-perf-data-" + std::to_string(getpid()));
  nlohmann::json j = record_java_leaks(dir,
                                       std::string("-XX:-UsePerfData -Xms384m -Xmx384m -XX:+UseG1GC -cp ") +
                                           HEAP_FIRST_USE_JAR + " HeapFirstUse 6 160",
                                       "512K");
  ASSERT_TRUE(j.contains("jvm")) << j.dump(1);
  const nlohmann::json& jvm = j["jvm"];
  EXPECT_FALSE(jvm.contains("heap_committed_bytes")) << jvm.dump();
  ASSERT_TRUE(jvm.contains("heap_resident_bytes")) << jvm.dump();
  EXPECT_GE(jvm["heap_resident_bytes"]["last"], 160 * double(1 << 20)) << jvm.dump();
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  const std::string note = unfolded(j["note"]);
  EXPECT_NE(note.find("The JVM's own counters are off (-XX:-UsePerfData)"), std::string::npos) << note;
  EXPECT_NE(note.find("The Java heap took"), std::string::npos) << note;
  Result report = run(std::string(HEAPDRIFT_BIN) + " report " + dir.string());
  EXPECT_EQ(report.status, 0) << report.out;
  EXPECT_NE(report.out.find("Java heap, resident"), std::string::npos) << report.out;
  EXPECT_EQ(report.out.find("The JVM's own counters"), std::string::npos) << report.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// The same under ZGC, whose heap is shared memory (a memfd): what RSS counts of it is told.
TEST(JavaHeapFirstUse, UnderZgcItsSharedPagesAreTold) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-heap-zgc-" + std::to_string(getpid()));
  nlohmann::json j = record_java_leaks(
      dir, std::string("-Xms384m -Xmx384m -XX:+UseZGC -cp ") + HEAP_FIRST_USE_JAR + " HeapFirstUse 6 160", "512K");
  ASSERT_TRUE(j.contains("jvm")) << j.dump(1);
  const nlohmann::json& jvm = j["jvm"];
  ASSERT_TRUE(jvm.contains("heap_resident_shared_bytes")) << jvm.dump();
  EXPECT_FALSE(jvm.contains("heap_resident_bytes")) << jvm.dump();
  const double first = jvm["heap_resident_shared_bytes"]["first"], last = jvm["heap_resident_shared_bytes"]["last"];
  EXPECT_GE(last, 160 * double(1 << 20)) << jvm.dump();  // in one view at least
  EXPECT_GE(last - first, 100 * double(1 << 20)) << jvm.dump();
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  const std::string note = unfolded(j["note"]);
  EXPECT_NE(note.find("shared memory under ZGC (/memfd:java_heap): its pages in RAM went"), std::string::npos) << note;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// Off-heap buffers of real libraries: Netty's direct buffers and JNA's Memory kept, each
// named by the method that asked for them, not by Netty's allocators or JNA's malloc;
// Netty's pooled buffers released at once are no suspect.
TEST(OffHeapBuffers, NettysAndJnasLeaksAreNamedByWhoAskedForThem) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-off-heap-" + std::to_string(getpid()));
  nlohmann::json j = record_java_leaks(dir, std::string("-cp ") + OFF_HEAP_BUFFERS_CLASSPATH + " OffHeapBuffers 10");
  std::vector<std::string> named;
  for (const auto& suspect : j["suspects"]) {
    named.push_back(suspect["frames"][0]["function"]);
    for (const auto& f : suspect["frames"]) EXPECT_NE(f["function"], "OffHeapBuffers.encodeReply") << suspect.dump(1);
  }
  for (const char* method : {"OffHeapBuffers.stageUpload", "OffHeapBuffers.reserveScratch"}) {
    EXPECT_NE(std::find(named.begin(), named.end(), method), named.end()) << method << " in\n" << j["suspects"].dump(1);
  }
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// The same class loaders kept, each plugin run until the JIT compiles it: the code cache
// grows with the classes, and leaks tells it from the code cache's mapping (anonymous
// executable memory) and from the JIT log (the compiled code alive), and names it.
TEST(CodeCacheGrowth, TheCodeOfClassesLoadedWithoutEndIsTold) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-code-cache-" + std::to_string(getpid()));
  nlohmann::json j =
      record_java_leaks(dir, std::string("-cp ") + CLASS_LOADER_LEAK_JAR + " ClassLoaderLeak 8 hot", "512K");
  ASSERT_TRUE(j.contains("jit_code_mapped_bytes") && j.contains("compiled_code_bytes")) << j.dump(1);
  auto growth = [&](const char* key) { return j[key]["last"].get<double>() - j[key]["first"].get<double>(); };
  const double mapped = growth("jit_code_mapped_bytes"), compiled = growth("compiled_code_bytes");
  EXPECT_GE(mapped, 8.0 * (1 << 20)) << j.dump(1);    // some 20 MiB here
  EXPECT_GE(compiled, 2.0 * (1 << 20)) << j.dump(1);  // some 7 MiB
  // The instructions alone, in the code cache's memory with HotSpot's metadata.
  EXPECT_LT(compiled, mapped) << j.dump(1);
  ASSERT_TRUE(j.contains("note")) << j.dump(1);
  const std::string note = j["note"];
  EXPECT_NE(note.find("it is outside malloc"), std::string::npos) << note;
  EXPECT_NE(note.find("The JIT's code cache took"), std::string::npos) << note;  // some 40 % of it here
  // Each plugin's methods, compiled anew in each copy of its class: code growth names
  // them, with a version or two a copy (some 850 versions in 740 copies here).
  ASSERT_FALSE(j["code_growth"].empty()) << j.dump(1);
  for (const auto& code : j["code_growth"]) {
    EXPECT_EQ(code["function"].get<std::string>().rfind("ClassLoaderLeak$Plugin.", 0), 0u) << code.dump();
    EXPECT_GE(code["class_copies"].get<double>(), 0.5 * code["versions"].get<double>()) << code.dump();
  }
  // The text gives the class one line.
  Result text = run(std::string(HEAPDRIFT_BIN) + " leaks " + dir.string());
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(\n    ClassLoaderLeak\$Plugin  in \d+ copies of the class: )")))
      << text.out;
  Result report = run(std::string(HEAPDRIFT_BIN) + " report " + dir.string());
  EXPECT_EQ(report.status, 0) << report.out;
  EXPECT_TRUE(std::regex_search(report.out, std::regex(R"(\n    JIT code, mapped +\d+\.?\d* MiB  \(anonymous and executable: )")))
      << report.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

// The counters of a snapshot, as `heapdrift dump` prints them ("  name  value").
std::map<std::string, double> snapshot_counters(const fs::path& snapshot) {
  Result dump = run(std::string(HEAPDRIFT_BIN) + " dump " + snapshot.string());
  EXPECT_EQ(dump.status, 0) << snapshot;
  std::map<std::string, double> counters;
  std::istringstream in(dump.out.substr(0, dump.out.find("\nmemory")));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    double value;
    if (line.rfind("  ", 0) == 0 && fields >> name >> value) counters[name] = value;
  }
  return counters;
}

// A JVM that keeps generating code (CodeChurn: a class defined again and again, its
// code compiled each time) brings stacks never seen before wherever its code lands anew:
// a depot capped at 1,500 stacks fills within seconds (at 2,000 after 8 s, 3,000 after
// 12 s here; uncapped, it stays at some 1.4 MiB after the first minute, as the code
// cache reuses its space). Past the cap the depot stops growing, the samples are still
// recorded, without their stack and counted, the JVM runs on and leaks and report say
// how many were.
TEST(StackCap, CodeGeneratedAgainAndAgainFillsACappedDepotThatThenStopsGrowing) {
  const fs::path dir = fs::temp_directory_path() / ("heapdrift-java-stack-cap-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string heapdrift = HEAPDRIFT_BIN;
  Result rec = run("HEAPDRIFT_MAX_STACKS=1500 " + heapdrift + " record -o " + dir.string() +
                   " --interval 1s -- java -cp " + CODE_CHURN_JAR + " CodeChurn 10");
  ASSERT_EQ(rec.status, 0);
  const std::vector<fs::path> snapshots = snapshot_files(dir);
  ASSERT_GE(snapshots.size(), 8u);
  std::optional<double> depot_when_full;
  double dropped = 0, sampled = 0;
  for (const fs::path& snapshot : snapshots) {
    std::map<std::string, double> c = snapshot_counters(snapshot);
    ASSERT_TRUE(c.contains("dropped_stacks") && c.contains("stack_depot_bytes")) << snapshot;
    EXPECT_GE(c["dropped_stacks"], dropped) << snapshot;
    EXPECT_GE(c["sampled_allocs"], sampled) << snapshot;
    dropped = c["dropped_stacks"], sampled = c["sampled_allocs"];
    if (depot_when_full) {
      EXPECT_EQ(c["stack_depot_bytes"], *depot_when_full) << snapshot << ": the depot grew past its cap";
    } else if (dropped > 0) {
      depot_when_full = c["stack_depot_bytes"];
    }
  }
  ASSERT_TRUE(depot_when_full) << "the cap was never reached";
  EXPECT_GT(dropped, 1000);  // some 1,000,000 of 1,900,000 samples here: those through new code
  EXPECT_LT(dropped, sampled);
  Result report = run(heapdrift + " report " + dir.string());
  EXPECT_EQ(report.status, 0);
  const std::regex counted(R"(heapdrift itself: \S+ \S+ mapped, \d+ samples and [1-9]\d* stacks dropped at caps)");
  EXPECT_TRUE(std::regex_search(report.out, counted)) << report.out;
  Result leaks = run(heapdrift + " leaks " + dir.string() + " --json");
  ASSERT_EQ(leaks.status, 0);
  EXPECT_EQ(nlohmann::json::parse(leaks.out)["dropped_stacks"], dropped);  // the latest snapshot's count
  Result text = run(heapdrift + " leaks " + dir.string());
  EXPECT_NE(text.out.find("note: the shim reached a cap: "), std::string::npos) << text.out;
  if (!testing::Test::HasFailure()) remove_recording(dir);
}

}  // namespace
