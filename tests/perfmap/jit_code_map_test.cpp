// The time-aware lookup on synthetic JIT histories: code-cache ranges reused after an
// unload, load records posted after the samples that ran in the code, inlining matched
// at the exact return address, duplicates from GenerateEvents, nested stubs, exec'd
// sessions, and perf maps with overlapping entries; and the count of each method's
// compiled versions alive at a time.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "jit_code_map.h"
#include "log_builder.h"

namespace {

using heapdrift::perfmap::CompiledVersions;
using heapdrift::perfmap::JavaFrame;
using heapdrift::perfmap::JitCodeMap;
using heapdrift::perfmap::parse_perf_map;
using heapdrift::perfmap::PerfMap;
using perfmaptest::LogBuilder;

JitCodeMap map_of(LogBuilder& b) {
  JitCodeMap map;
  map.add_log(b.log());
  return map;
}

// The outermost frame's function ("" when nothing is there): whose code it is.
std::string owner(const JitCodeMap& map, uint64_t return_address, uint64_t t) {
  auto frames = map.lookup(return_address, t);
  return frames.empty() ? "" : frames.back().function;
}

std::vector<std::string> functions(const std::vector<JavaFrame>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) out.push_back(f.function);
  return out;
}

LogBuilder& three_methods(LogBuilder& b) {
  return b.method(1, "p.A", "a", "()V", "A.java").method(2, "p.B", "b", "(I)I", "B.java").method(3, "p.C", "c", "()J");
}

TEST(JitCodeMap, OneCompiledMethod) {
  LogBuilder b;
  three_methods(b).load(100, 0x1000, 0x100, 1);
  JitCodeMap map = map_of(b);
  auto frames = map.lookup(0x1050, 200);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], (JavaFrame{"p.A.a", "()V", "A.java", 0, JavaFrame::kCompiled}));
  // A sample taken before the load record was posted ran in this code all the same.
  EXPECT_EQ(owner(map, 0x1050, 50), "p.A.a");
  EXPECT_TRUE(map.lookup(0x2000, 200).empty());
  EXPECT_TRUE(map.lookup(0xfff, 200).empty());
  EXPECT_TRUE(map.lookup(0, 200).empty());
  // The range holds return_address - 1: a call at the end of the blob returns to its
  // end, a return address at its first byte belongs to the code before it.
  EXPECT_EQ(owner(map, 0x1100, 200), "p.A.a");
  EXPECT_EQ(owner(map, 0x1000, 200), "");
  EXPECT_EQ(owner(map, 0x1001, 200), "p.A.a");
}

// A, then B, then C in the same range: what a sample names depends on when it was taken.
TEST(JitCodeMap, RangeReusedAfterUnload) {
  LogBuilder b;
  three_methods(b)
      .load(100, 0x1000, 0x100, 1)  // A, posted at 100
      .unload(200, 0x1000)          // A, unloaded at 200 (posted)
      .load(300, 0x1000, 0x80, 2)   // B, posted at 300: it ran from before 300
      .unload(400, 0x1000)
      .load(500, 0x1060, 0x20, 3);  // C, inside B's old range
  JitCodeMap map = map_of(b);
  EXPECT_EQ(owner(map, 0x1050, 50), "p.A.a");
  EXPECT_EQ(owner(map, 0x1050, 150), "p.A.a");
  EXPECT_EQ(owner(map, 0x1050, 199), "p.A.a");
  EXPECT_EQ(owner(map, 0x1050, 200), "p.B.b");  // A is gone; B is there before its record
  EXPECT_EQ(owner(map, 0x1050, 250), "p.B.b");
  EXPECT_EQ(owner(map, 0x1050, 350), "p.B.b");
  EXPECT_EQ(owner(map, 0x1050, 450), "");  // B is gone, C is not there
  EXPECT_EQ(owner(map, 0x1070, 150), "p.A.a");
  EXPECT_EQ(owner(map, 0x1070, 350), "p.B.b");
  EXPECT_EQ(owner(map, 0x1070, 450), "p.C.c");
  EXPECT_EQ(owner(map, 0x1070, 600), "p.C.c");
  // Where only A ever was: nothing once A is gone.
  EXPECT_EQ(owner(map, 0x10a0, 150), "p.A.a");
  EXPECT_EQ(owner(map, 0x10a0, 250), "");
  EXPECT_EQ(owner(map, 0x10a0, 600), "");
  EXPECT_TRUE(map.warnings().empty());
}

// An unload ends the code loaded at exactly its address, the latest such.
TEST(JitCodeMap, UnloadEndsTheLatestLoadAtItsAddress) {
  LogBuilder b;
  three_methods(b)
      .load(100, 0x1000, 0x100, 1)
      .load(110, 0x2000, 0x100, 2)
      .unload(200, 0x2000)
      .unload(210, 0x3000);  // nothing there: counted in a warning
  JitCodeMap map = map_of(b);
  EXPECT_EQ(owner(map, 0x1050, 300), "p.A.a");
  EXPECT_EQ(owner(map, 0x2050, 300), "");
  ASSERT_EQ(map.warnings().size(), 1u);
  EXPECT_EQ(map.warnings()[0].rfind("test.log: 1 unload records matched no loaded code", 0), 0u) << map.warnings()[0];
}

// GenerateEvents at VMInit reports again code that was already posted: the duplicate
// must not keep the code alive after its one unload.
TEST(JitCodeMap, DuplicateLoadsFromGenerateEvents) {
  LogBuilder b;
  three_methods(b).load(100, 0x1000, 0x100, 1).load(105, 0x1000, 0x100, 1).unload(200, 0x1000);
  JitCodeMap map = map_of(b);
  EXPECT_EQ(owner(map, 0x1050, 150), "p.A.a");
  EXPECT_EQ(owner(map, 0x1050, 250), "");
  EXPECT_EQ(map.code_count(), 1u);
}

// HotSpot keys a call site's debug information by the call's return address: the
// record at exactly that pc names the inlined chain, not the one before it.
TEST(JitCodeMap, InliningMatchedAtTheExactReturnAddress) {
  LogBuilder b;
  b.method(1, "p.Outer", "compute", "(I)J", "Outer.java", {{{0, 20}, {5, 21}, {12, 23}}})
      .method(2, "p.Helper", "helper", "(I)I", "Helper.java", {{{0, 40}, {6, 41}}})
      .method(3, "p.Leaf", "leaf", "()V", "Leaf.java", {{{0, 60}}})
      .load(100, 0x1000, 0x200, 1,
            {{0x1008, {{3, 0}, {2, 7}, {1, 5}}},   // a call returning to 0x1008: leaf in helper in compute
             {0x1010, {{2, 2}, {1, 13}}},          // one returning to 0x1010: helper in compute
             {0x1020, {{1, -1}}},
             {0x1030, {{1, -2}}}});
  JitCodeMap map = map_of(b);

  auto at_1010 = map.lookup(0x1010, 150);
  ASSERT_EQ(at_1010.size(), 2u);
  EXPECT_EQ(at_1010[0], (JavaFrame{"p.Helper.helper", "(I)I", "Helper.java", 40, JavaFrame::kInlined}));
  EXPECT_EQ(at_1010[1], (JavaFrame{"p.Outer.compute", "(I)J", "Outer.java", 23, JavaFrame::kCompiled}));

  auto at_1008 = map.lookup(0x1008, 150);
  EXPECT_EQ(functions(at_1008), (std::vector<std::string>{"p.Leaf.leaf", "p.Helper.helper", "p.Outer.compute"}));
  EXPECT_EQ(at_1008[0].kind, JavaFrame::kInlined);
  EXPECT_EQ(at_1008[1].kind, JavaFrame::kInlined);
  EXPECT_EQ(at_1008[1].line, 41u);
  EXPECT_EQ(at_1008[2].line, 21u);

  // No record at this return address: the compiled method, line unknown.
  auto between = map.lookup(0x100f, 150);
  ASSERT_EQ(between.size(), 1u);
  EXPECT_EQ(between[0], (JavaFrame{"p.Outer.compute", "(I)J", "Outer.java", 0, JavaFrame::kCompiled}));
  // bci -1, a method's entry (HotSpot's InvocationEntryBci), has the line of bci 0, as
  // in HotSpot's own stack traces; other negative bcis have none.
  auto entry = map.lookup(0x1020, 150);
  ASSERT_EQ(entry.size(), 1u);
  EXPECT_EQ(entry[0].line, 20u);
  EXPECT_EQ(map.lookup(0x1030, 150)[0].line, 0u);
}

// Line tables come in class-file order; a bci maps to the entry starting at or before it.
TEST(JitCodeMap, LinesFromUnsortedTables) {
  LogBuilder b;
  b.method(1, "p.M", "m", "()V", "M.java", {{{10, 7}, {0, 5}, {4, 6}, {20, 9}}})
      .load(1, 0x1000, 0x100, 1,
            {{0x1001, {{1, 0}}}, {0x1002, {{1, 3}}}, {0x1003, {{1, 4}}}, {0x1004, {{1, 19}}}, {0x1005, {{1, 25}}}});
  JitCodeMap map = map_of(b);
  EXPECT_EQ(map.lookup(0x1001, 2)[0].line, 5u);
  EXPECT_EQ(map.lookup(0x1002, 2)[0].line, 5u);
  EXPECT_EQ(map.lookup(0x1003, 2)[0].line, 6u);
  EXPECT_EQ(map.lookup(0x1004, 2)[0].line, 7u);
  EXPECT_EQ(map.lookup(0x1005, 2)[0].line, 9u);
}

TEST(JitCodeMap, UnknownMethods) {
  LogBuilder b;
  b.method(1, "p.M", "m", "()V").load(1, 0x1000, 0x100, 0, {{0x1010, {{0, 3}, {1, 2}}}});
  JitCodeMap map = map_of(b);
  auto frames = map.lookup(0x1010, 2);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].function, "[unknown Java method]");
  EXPECT_EQ(frames[0].kind, JavaFrame::kInlined);
  EXPECT_EQ(frames[1].function, "p.M.m");
  EXPECT_EQ(owner(map, 0x1020, 2), "[unknown Java method]");
}

TEST(JitCodeMap, GeneratedCodeAndNestedStubs) {
  LogBuilder b;
  three_methods(b)
      .dynamic(10, 0x5000, 0x1000, "StubRoutines (1)")
      .dynamic(11, 0x5100, 0x100, "call_stub")
      .dynamic(12, 0x8000, 0x18000, "Interpreter")
      .dynamic(13, 0x8000, 0x18000, "Interpreter")  // GenerateEvents again
      .load(20, 0x30000, 0x100, 1);
  JitCodeMap map = map_of(b);
  auto stub = map.lookup(0x5150, 100);
  ASSERT_EQ(stub.size(), 1u);
  EXPECT_EQ(stub[0], (JavaFrame{"call_stub", "", "", 0, JavaFrame::kGenerated}));
  EXPECT_EQ(owner(map, 0x5800, 100), "StubRoutines (1)");
  EXPECT_EQ(owner(map, 0x5100, 100), "StubRoutines (1)");  // ra - 1 is before the stub
  auto interpreter = map.lookup(0x9000, 5);
  ASSERT_EQ(interpreter.size(), 1u);
  EXPECT_EQ(interpreter[0].kind, JavaFrame::kGenerated);
  EXPECT_EQ(interpreter[0].function, "Interpreter");
  EXPECT_EQ(map.code_count(), 4u);
}

// A new session (an exec'd image of the same pid) ends the old image's code, and its
// method ids mean other methods.
TEST(JitCodeMap, SessionsEndTheEarlierImage) {
  LogBuilder b(1);
  b.method(1, "old.A", "a", "()V").load(10, 0x1000, 0x100, 1).dynamic(11, 0x5000, 0x100, "Interpreter");
  b.session(1000).method(1, "fresh.B", "b", "()V").load(1010, 0x2000, 0x100, 1);
  JitCodeMap map = map_of(b);
  EXPECT_EQ(owner(map, 0x1050, 500), "old.A.a");
  EXPECT_EQ(owner(map, 0x1050, 1500), "");
  EXPECT_EQ(owner(map, 0x5050, 1500), "");
  EXPECT_EQ(owner(map, 0x2050, 1500), "fresh.B.b");
}

// Interpreted frames are named by the Method* their frame held: the latest class_methods
// record of that address at or before the sample, else the earliest after it (classes
// enumerated at VMInit ran before their record); a Method* freed with its class and
// reused by another names the newer method from its record on.
TEST(JitCodeMap, InterpretedMethodsByAddressOverTime) {
  LogBuilder b(1);
  b.class_methods(100, "p.Early", "Early.java", {{{0x8000, "run", "()V"}, {0x8100, "stop", "(I)Z"}}});
  b.class_methods(500, "p.Later", "", {{{0x8000, "reused", "()J"}}});
  JitCodeMap map = map_of(b);
  auto name = [&](uint64_t method, uint64_t t) {
    auto f = map.interpreted(method, t);
    return f ? f->function + f->signature : std::string();
  };
  EXPECT_EQ(name(0x8000, 50), "p.Early.run()V");  // before any record: the earliest
  EXPECT_EQ(name(0x8000, 100), "p.Early.run()V");
  EXPECT_EQ(name(0x8000, 499), "p.Early.run()V");
  EXPECT_EQ(name(0x8000, 500), "p.Later.reused()J");
  EXPECT_EQ(name(0x8000, 9000), "p.Later.reused()J");
  EXPECT_EQ(name(0x8100, 9000), "p.Early.stop(I)Z");
  EXPECT_EQ(name(0x8200, 9000), "");  // never recorded
  EXPECT_EQ(name(0, 9000), "");
  auto f = map.interpreted(0x8100, 200);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, JavaFrame::kInterpreted);
  EXPECT_EQ(f->file, "Early.java");
  EXPECT_EQ(f->line, 0u);  // the frame's bytecode index is not kept
}

TEST(JitCodeMap, InterpretedMethodsBelongToTheirSession) {
  LogBuilder b(1);
  b.class_methods(10, "old.A", "", {{{0x8000, "a", "()V"}}});
  b.session(1000).class_methods(1010, "fresh.B", "", {{{0x9000, "b", "()V"}}});
  JitCodeMap map = map_of(b);
  EXPECT_TRUE(map.interpreted(0x8000, 500).has_value());
  EXPECT_FALSE(map.interpreted(0x8000, 1500).has_value());  // the old image is gone
  EXPECT_FALSE(map.interpreted(0x9000, 500).has_value());   // not yet born
  EXPECT_EQ(map.interpreted(0x9000, 1005)->function, "fresh.B.b");
}

TEST(JitCodeMap, PerfMapLaterEntryWinsAfterItWasWritten) {
  auto perf = parse_perf_map(
      "1000 100 int p.A.a()\n"
      "1000 100 int p.A.a()\n"      // repeated: the same code, nothing replaced
      "1040 100 void p.B.b(int)\n"  // overlaps A: newer code
      "5000 1000 StubRoutines (1)\n"
      "5100 100 call_stub\n"
      "9000 100 Lp/Inl;.inner in Lp/Out;.outer\n",
      "perf-1.map");
  JitCodeMap map;
  map.add_perf_map(perf, 1000);
  EXPECT_EQ(owner(map, 0x1010, 500), "p.A.a");
  EXPECT_EQ(owner(map, 0x1050, 500), "p.A.a");  // before the file's time: the earlier entry
  EXPECT_EQ(owner(map, 0x1050, 1000), "p.B.b");
  EXPECT_EQ(owner(map, 0x1010, 1500), "");  // A replaced, B does not reach down there
  auto b = map.lookup(0x1050, 2000);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], (JavaFrame{"p.B.b", "(I)V", "", 0, JavaFrame::kCompiled}));
  EXPECT_EQ(owner(map, 0x5150, 2000), "call_stub");
  EXPECT_EQ(owner(map, 0x5900, 2000), "StubRoutines (1)");
  EXPECT_EQ(map.lookup(0x5150, 2000)[0].kind, JavaFrame::kGenerated);
  auto unfolded = map.lookup(0x9010, 2000);
  ASSERT_EQ(unfolded.size(), 2u);
  EXPECT_EQ(unfolded[0].function, "p.Inl.inner");
  EXPECT_EQ(unfolded[0].kind, JavaFrame::kInlined);
  EXPECT_EQ(unfolded[1].function, "p.Out.outer");
  EXPECT_EQ(unfolded[1].kind, JavaFrame::kCompiled);
}

// Two perf maps of one process, written at 1000 and 2000 (jcmd Compiler.perfmap run
// twice): the second one's code wins from 2000 on.
TEST(JitCodeMap, PerfMapsAddedOldestFirst) {
  JitCodeMap map;
  map.add_perf_map(parse_perf_map("1000 100 p.A.a()V\n2000 100 p.Same.s()V\n", "perf-a.map"), 1000);
  map.add_perf_map(parse_perf_map("1000 80 p.B.b()V\n2000 100 p.Same.s()V\n", "perf-b.map"), 2000);
  EXPECT_EQ(owner(map, 0x1010, 500), "p.A.a");
  EXPECT_EQ(owner(map, 0x1010, 1500), "p.A.a");
  EXPECT_EQ(owner(map, 0x1010, 2500), "p.B.b");
  EXPECT_EQ(owner(map, 0x1090, 2500), "");
  EXPECT_EQ(owner(map, 0x2010, 2500), "p.Same.s");
  EXPECT_EQ(map.code_count(), 3u);
}

// Many maps added at once (a recording's copy, in batches) are what adding them one by
// one makes: the same code, ended at the same times. Another runtime's entries do not
// nest: a smaller later entry inside an earlier one replaces it.
TEST(JitCodeMap, PerfMapsAddedAtOnceAsOneByOne) {
  const std::vector<PerfMap> maps = {
      parse_perf_map("1000 100 JS:*a /a.js:1:1\n2000 100 JS:*b /a.js:2:1\n", "batch 1"),
      parse_perf_map("1000 80 JS:*c /a.js:3:1\n2000 100 JS:*b /a.js:2:1\n3000 10 Builtin:X\n", "batch 2"),
      parse_perf_map("1020 10 JS:*d /a.js:4:1\n3000 10 Builtin:X\n", "batch 3")};
  JitCodeMap one_by_one, at_once;
  std::vector<JitCodeMap::DatedPerfMap> dated;
  for (size_t i = 0; i < maps.size(); ++i) {
    one_by_one.add_perf_map(maps[i], 1000 * (i + 1), JitCodeMap::Runtime::kOther);
    dated.push_back({&maps[i], 1000 * (i + 1)});
  }
  at_once.add_perf_maps(dated, JitCodeMap::Runtime::kOther);
  EXPECT_EQ(at_once.code_count(), one_by_one.code_count());
  for (uint64_t address : {0x1010, 0x1025, 0x1090, 0x2010, 0x3005}) {
    for (uint64_t t : {500, 1500, 2500, 3500}) {
      EXPECT_EQ(owner(at_once, address, t), owner(one_by_one, address, t)) << std::hex << address << " at " << t;
    }
  }
  EXPECT_EQ(owner(at_once, 0x1025, 2500), "JS:*c /a.js:3:1");
  EXPECT_EQ(owner(at_once, 0x1025, 3500), "JS:*d /a.js:4:1");
  EXPECT_EQ(owner(at_once, 0x1040, 3500), "");  // c ended where d began
  EXPECT_EQ(owner(at_once, 0x2010, 3500), "JS:*b /a.js:2:1");
}

// With a log and a perf map, the log's timed records win where they have code; the
// perf map fills in the rest.
TEST(JitCodeMap, LogAndPerfMapTogether) {
  LogBuilder b;
  three_methods(b).load(100, 0x1000, 0x100, 1).unload(200, 0x1000);
  JitCodeMap map = map_of(b);
  map.add_perf_map(parse_perf_map("0x1000 0x100 long p.Z.z()\n0x3000 0x10 Interpreter\nnot a line\n", "perf.map"),
                   10'000);
  EXPECT_EQ(owner(map, 0x1050, 150), "p.A.a");
  EXPECT_EQ(owner(map, 0x1050, 300), "p.Z.z");
  EXPECT_EQ(map.lookup(0x1050, 300)[0].signature, "()J");
  EXPECT_EQ(owner(map, 0x3008, 300), "Interpreter");
  ASSERT_EQ(map.warnings().size(), 1u);
  EXPECT_NE(map.warnings()[0].find("perf.map:3:"), std::string::npos) << map.warnings()[0];
}

// Many blobs reusing a few ranges, checked against a brute-force application of the rule.
TEST(JitCodeMap, AgreesWithBruteForceOnARandomHistory) {
  LogBuilder b;
  const int kMethods = 20;
  for (int m = 1; m <= kMethods; ++m) b.method(m, "p.M" + std::to_string(m), "m", "()V");
  struct Code {
    uint64_t start, end, load, unload;
    int method;
  };
  std::vector<Code> history;
  std::vector<Code*> live;
  uint64_t seed = 12345, t = 100;
  auto next = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull, seed >> 33; };
  history.reserve(4000);
  for (int step = 0; step < 4000; ++step) {
    t += 1 + next() % 10;
    if (!live.empty() && next() % 3 == 0) {
      size_t k = next() % live.size();
      live[k]->unload = t;
      b.unload(t, live[k]->start);
      live.erase(live.begin() + k);
      continue;
    }
    uint64_t start = 0x10000 + (next() % 64) * 0x40, size = 0x40 * (1 + next() % 4);
    bool overlaps = false;
    for (Code* c : live) overlaps |= c->start < start + size && start < c->end;
    if (overlaps) continue;  // a real code cache only reuses free space
    int method = 1 + static_cast<int>(next() % kMethods);
    history.push_back({start, start + size, t, UINT64_MAX, method});
    live.push_back(&history.back());
    b.load(t, start, size, method);
  }
  JitCodeMap map = map_of(b);
  int checked = 0;
  for (int q = 0; q < 20000; ++q) {
    uint64_t address = 0x10000 + next() % (68 * 0x40), when = 100 + next() % (t + 100);
    // The rule, by brute force: of the code holding address - 1, the earliest
    // loaded that was not unloaded by `when`.
    const Code* truth = nullptr;
    for (const Code& c : history) {
      if (address - 1 < c.start || address - 1 >= c.end || c.unload <= when) continue;
      if (!truth || c.load < truth->load) truth = &c;
    }
    std::string expected = truth ? "p.M" + std::to_string(truth->method) + ".m" : "";
    ASSERT_EQ(owner(map, address, when), expected) << "address " << address << " at " << when;
    checked += truth != nullptr;
  }
  EXPECT_GT(checked, 10000);
}

TEST(JitCodeMap, FromLogAcceptsATruncatedTail) {
  LogBuilder b;
  three_methods(b).load(100, 0x1000, 0x100, 1).load(110, 0x2000, 0x100, 2);
  std::vector<uint8_t> bytes = b.bytes();
  bytes.resize(bytes.size() - 3);
  auto path = std::filesystem::temp_directory_path() / ("jit-map-test-" + std::to_string(getpid()) + ".log");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  JitCodeMap map = JitCodeMap::from_log(path);
  std::filesystem::remove(path);
  EXPECT_EQ(owner(map, 0x1050, 200), "p.A.a");
  EXPECT_EQ(owner(map, 0x2050, 200), "");
  ASSERT_EQ(map.warnings().size(), 1u);
  EXPECT_NE(map.warnings()[0].find("incomplete"), std::string::npos);
  EXPECT_THROW(JitCodeMap::from_log("/nonexistent/jit.log"), heapdrift::perfmap::ReadError);
}

const CompiledVersions* versions_of(const std::vector<CompiledVersions>& all, const std::string& function,
                                    const std::string& signature) {
  for (const CompiledVersions& v : all) {
    if (v.function == function && v.signature == signature) return &v;
  }
  return nullptr;
}

TEST(CompiledVersions, CountsLoadsNotYetUnloadedAtEachTime) {
  LogBuilder b(1);
  b.method(1, "a.Rereg", "work", "(J)J").method(2, "a.Rereg", "work", "(I)I").method(3, "a.Other", "run", "()V");
  b.load(10, 0x1000, 100, 1).load(11, 0x2000, 100, 1).load(12, 0x3000, 50, 2);
  b.load(20, 0x4000, 100, 1).unload(25, 0x1000);
  b.load(30, 0x5000, 100, 1).load(31, 0x5000, 100, 1);  // the same code reported again: one version
  b.load(32, 0x2000, 70, 3);  // 0x2000 reused by another method: work's code there is gone
  b.load(33, 0x9000, 10, 0);  // a method the JVM could not name: not counted
  b.dynamic(34, 0xa000, 10, "Interpreter");  // generated code: no method's version
  const uint64_t times[] = {15, 26, 40};
  JitCodeMap map = map_of(b);
  PerfMap perf_map = parse_perf_map("b000 10 a.Other::run\n", "perf-1.map");
  map.add_perf_map(perf_map, 35);  // a perf map's entries have no history to count
  std::vector<CompiledVersions> v = map.compiled_versions(times);

  const CompiledVersions* work = versions_of(v, "a.Rereg.work", "(J)J");
  ASSERT_NE(work, nullptr);
  EXPECT_EQ(work->versions, (std::vector<uint32_t>{2, 2, 2}));  // {1000,2000} {2000,4000} {4000,5000}
  EXPECT_EQ(work->bytes, (std::vector<uint64_t>{200, 200, 200}));
  const CompiledVersions* other_signature = versions_of(v, "a.Rereg.work", "(I)I");
  ASSERT_NE(other_signature, nullptr);
  EXPECT_EQ(other_signature->versions, (std::vector<uint32_t>{1, 1, 1}));
  const CompiledVersions* other = versions_of(v, "a.Other.run", "()V");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->versions, (std::vector<uint32_t>{0, 0, 1}));
  EXPECT_EQ(other->bytes, (std::vector<uint64_t>{0, 0, 70}));
  EXPECT_EQ(v.size(), 3u);
}

// A method named again under a new id (its class unloaded and loaded again) is one
// method; the code of an earlier session (the image before an exec) is none of it.
TEST(CompiledVersions, OneMethodByNameInTheLastSessionOnly) {
  LogBuilder b(1);
  b.method(1, "a.B", "m", "()V").load(5, 0x1000, 10, 1).load(6, 0x1100, 10, 1);
  b.session(100).method(1, "a.B", "m", "()V").load(110, 0x2000, 10, 1);
  b.method(2, "a.B", "m", "()V").load(120, 0x3000, 10, 2);
  const uint64_t times[] = {50, 115, 130};
  std::vector<CompiledVersions> v = map_of(b).compiled_versions(times);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].versions, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(v[0].methods, (std::vector<uint32_t>{0, 0, 0}));  // no jmethodIDs in this log: not known
}

// The Java methods that the versions belong to, by jmethodID: a method named again (after
// a class unload elsewhere) is the same one; a copy of its class loaded again is another.
TEST(CompiledVersions, CountTheMethodsTheyBelongToByJmethodId) {
  LogBuilder b(1);
  b.method(1, "a.Plugin", "run", "()V").jvm_id(1, 0x7000);
  b.load(10, 0x1000, 10, 1).load(11, 0x1100, 10, 1);
  b.method(2, "a.Plugin", "run", "()V").jvm_id(2, 0x7000);  // named again: the same jmethodID
  b.load(20, 0x1200, 10, 2);
  b.method(3, "a.Plugin", "run", "()V").jvm_id(3, 0x7008);  // another copy of the class
  b.load(30, 0x1300, 10, 3);
  b.method(4, "a.Plugin", "run", "()V").jvm_id(4, 0x7010);
  b.load(40, 0x1400, 10, 4).unload(45, 0x1400);
  const uint64_t times[] = {15, 35, 50};
  std::vector<CompiledVersions> v = map_of(b).compiled_versions(times);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].versions, (std::vector<uint32_t>{2, 4, 4}));
  EXPECT_EQ(v[0].methods, (std::vector<uint32_t>{1, 2, 2}));
}

}  // namespace
