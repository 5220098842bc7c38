// The whole chain in a real JVM: the shim samples native allocations made from Java
// code (NativeLeak: Unsafe.allocateMemory in a loop that the JIT compiles), walks
// through the JIT frames (-XX:+PreserveFramePointer), and the agent's log names them,
// each with the code that was at its address when the allocation was sampled.
#include <gtest/gtest.h>

#include <algorithm>

#include "jit_code_map.h"
#include "jvm_support.h"
#include "shim_snapshots.h"
#include "snapshot.h"

namespace {

namespace fs = std::filesystem;
using heapdrift::perfmap::JavaFrame;
using heapdrift::perfmap::JitCodeMap;
using namespace perfmaptest;

constexpr uint64_t kLeakSize = 65544;  // NativeLeak.SIZE

bool in_module(const heapdrift::Snapshot& s, uint64_t address) {
  for (const auto& m : s.modules) {
    for (const auto& seg : m.segments) {
      if (address >= m.load_bias + seg.vaddr && address < m.load_bias + seg.vaddr + seg.memsz) return true;
    }
  }
  return false;
}

// The code cache: executable mappings without a file.
bool in_anonymous_code(const heapdrift::Snapshot& s, uint64_t address) {
  for (const auto& m : s.maps) {
    if ((m.prot & 4) && m.path.empty() && address >= m.start && address < m.end) return true;
  }
  return false;
}

TEST(ShimAndAgent, JavaFramesOfNativeAllocationsAreNamed) {
  shimtest::ScratchDir scratch;
  fs::path out = scratch.path() / "out";
  // Sampling at 1 MiB, not exactly: see the report about the shim in exact mode, which
  // hangs a JVM as its threads start (pthread_getattr_np re-entered from realloc).
  auto r = shimtest::run_program(
      {java(), "-XX:+PreserveFramePointer", "-agentpath:" + agent(), "-cp", classes(), "NativeLeak"},
      shimtest::shim_env(out, {{"HEAPDRIFT_SAMPLE_RATE", "1MiB"}, {"HEAPDRIFT_SEED", "7"}}), 120, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ASSERT_NE(r.out.find("kept 600"), std::string::npos) << r.out;
  fs::path dir = process_dir(out);
  PerfMapFile perf_map(pid_of(dir));
  auto snapshots = shimtest::read_process_snapshots(dir);
  ASSERT_FALSE(snapshots.empty());
  const heapdrift::Snapshot& last = snapshots.back().snapshot;
  JitCodeMap code = JitCodeMap::from_log(dir / "jit.log");
  EXPECT_TRUE(code.warnings().empty()) << code.warnings()[0];

  const uint32_t allocate_line = marked_line("NativeLeak.java", "allocate");
  const uint32_t churn_line = marked_line("NativeLeak.java", "churn-call");
  size_t samples = 0, compiled_chains = 0, interpreted = 0, jit_frames = 0;
  for (const auto& sample : last.samples) {
    if (sample.size != kLeakSize) continue;
    ++samples;
    ASSERT_TRUE(last.stacks.count(sample.stack_id));
    std::vector<JavaFrame> java;  // the Java frames of the stack, innermost first
    for (uint64_t frame : last.stacks.at(sample.stack_id).frames) {
      if (in_module(last, frame)) continue;
      auto frames = code.lookup(frame, sample.alloc_mono_ns);
      // Every frame in the code cache is named: the log misses nothing.
      if (in_anonymous_code(last, frame)) {
        ++jit_frames;
        EXPECT_FALSE(frames.empty()) << "unnamed JIT frame 0x" << std::hex << frame;
      }
      java.insert(java.end(), frames.begin(), frames.end());
    }
    // allocate() at its line, called from churn() at its line: compiled (inlined or
    // not) or interpreted, never anything else.
    auto allocate = std::find_if(java.begin(), java.end(),
                                 [](const JavaFrame& f) { return f.function == "NativeLeak.allocate"; });
    if (allocate != java.end()) {
      EXPECT_EQ(allocate->line, allocate_line);
      EXPECT_EQ(allocate->signature, "(J)J");
      EXPECT_EQ(allocate->file, "NativeLeak.java");
      ASSERT_NE(allocate + 1, java.end());
      if (allocate->kind == JavaFrame::kInlined || (allocate + 1)->function != "Interpreter") {
        EXPECT_EQ((allocate + 1)->function, "NativeLeak.churn");
        EXPECT_EQ((allocate + 1)->line, churn_line);
      }  // else allocate() compiled on its own, called by the interpreted churn()
      if (allocate->kind == JavaFrame::kInlined) ++compiled_chains;
    } else {
      // Not in compiled code: the interpreter ran it.
      EXPECT_TRUE(std::any_of(java.begin(), java.end(), [](const JavaFrame& f) { return f.function == "Interpreter"; }))
          << "sample at " << sample.alloc_mono_ns << " has neither compiled allocate() nor the interpreter";
      ++interpreted;
    }
  }
  EXPECT_GE(samples, 10u) << "too few sampled allocations to check";
  EXPECT_GT(jit_frames, 0u) << "no frame in JIT code: did the shim walk the Java frames?";
  EXPECT_GT(compiled_chains, 0u) << "no sample from code where allocate() is inlined";
  std::printf("%zu samples: %zu through compiled code with allocate() inlined, %zu interpreted\n", samples,
              compiled_chains, interpreted);
}

}  // namespace
