// The perf-map reader on the lines the tools write (perf-map-agent, the JDK, our agent)
// and on garbage, which is reported with its line number and skipped. Real JDK files
// are read in jdk_perf_map_test.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "perf_map_reader.h"
#include "perf_map_writer.h"

namespace {

using heapdrift::perfmap::parse_perf_map;
using heapdrift::perfmap::PerfMap;
using heapdrift::perfmap::PerfMapEntry;
using heapdrift::perfmap::ReadError;

TEST(PerfMapReader, BothAddressStyles) {
  PerfMap map = parse_perf_map(
      "7f12ab001000 1c0 Lcom/example/Foo;.bar\n"
      "0x00007f12ab002000 0x0000000000000140 void java.lang.Object.<init>()\n"
      "0X7F12AB003000 0X10 StubRoutines (1)\n"
      "7f12ab004000\t20\tInterpreter\n",
      "perf-1.map");
  EXPECT_EQ(map.malformed_lines, 0u);
  EXPECT_TRUE(map.warnings.empty());
  ASSERT_EQ(map.entries.size(), 4u);
  EXPECT_EQ(map.entries[0], (PerfMapEntry{0x7f12ab001000, 0x1c0, "Lcom/example/Foo;.bar", 1}));
  EXPECT_EQ(map.entries[1], (PerfMapEntry{0x7f12ab002000, 0x140, "void java.lang.Object.<init>()", 2}));
  EXPECT_EQ(map.entries[2], (PerfMapEntry{0x7f12ab003000, 0x10, "StubRoutines (1)", 3}));
  EXPECT_EQ(map.entries[3], (PerfMapEntry{0x7f12ab004000, 0x20, "Interpreter", 4}));
}

TEST(PerfMapReader, BlankLinesCrLfAndEmptyRanges) {
  PerfMap map = parse_perf_map("\n1000 10 a.B.c()V\r\n   \n2000 0 zero sized\n3000 10 trailing  \t\n4000 8 last", "m");
  EXPECT_EQ(map.malformed_lines, 0u);
  ASSERT_EQ(map.entries.size(), 3u);
  EXPECT_EQ(map.entries[0].name, "a.B.c()V");
  EXPECT_EQ(map.entries[0].line, 2u);
  EXPECT_EQ(map.entries[1].name, "trailing");
  EXPECT_EQ(map.entries[1].line, 5u);
  EXPECT_EQ(map.entries[2], (PerfMapEntry{0x4000, 8, "last", 6}));
}

TEST(PerfMapReader, GarbageLinesAreReportedWithTheirNumberAndSkipped) {
  PerfMap map = parse_perf_map(
      "1000 10 good.One.a()V\n"
      "this is not a perf map line\n"
      "2000\n"
      "2000 10\n"
      "2000 10x name\n"
      "zz 10 name\n"
      "12345678901234567 10 too many digits\n"
      "ffffffffffffff00 200 wraps around\n"
      "3000 10 good.Two.b()V\n",
      "/tmp/perf-99.map");
  ASSERT_EQ(map.entries.size(), 2u);
  EXPECT_EQ(map.entries[0].line, 1u);
  EXPECT_EQ(map.entries[1].line, 9u);
  EXPECT_EQ(map.malformed_lines, 7u);
  ASSERT_EQ(map.warnings.size(), 7u);
  const char* expected[] = {
      "/tmp/perf-99.map:2: malformed perf-map line (no start address): 'this is not a perf map line'",
      "/tmp/perf-99.map:3: malformed perf-map line (no blank after the start address): '2000'",
      "/tmp/perf-99.map:4: malformed perf-map line (no blank after the size): '2000 10'",
      "/tmp/perf-99.map:5: malformed perf-map line (no blank after the size): '2000 10x name'",
      "/tmp/perf-99.map:6: malformed perf-map line (no start address): 'zz 10 name'",
      "/tmp/perf-99.map:7: malformed perf-map line (no start address): '12345678901234567 10 too many digits'",
      "/tmp/perf-99.map:8: malformed perf-map line (the range runs past the end of the address space): "
      "'ffffffffffffff00 200 wraps around'"};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(map.warnings[i], expected[i]);
}

TEST(PerfMapReader, BinaryGarbageAndManyBadLines) {
  std::string text = "1000 10 ok\n";
  for (int i = 0; i < 25; ++i) text += std::string("\x01\x02\xff garbage ", 12) + std::to_string(i) + "\n";
  text += std::string("2000 10 nul\0byte\n", 17);
  PerfMap map = parse_perf_map(text, "bad.map");
  ASSERT_EQ(map.entries.size(), 1u);
  EXPECT_EQ(map.malformed_lines, 26u);
  ASSERT_EQ(map.warnings.size(), PerfMap::kMaxLineWarnings + 1);
  // Control bytes are shown as '?'; other bytes are kept (names are UTF-8).
  EXPECT_EQ(map.warnings[0], "bad.map:2: malformed perf-map line (no start address): '??\xff garbage 0'");
  EXPECT_EQ(map.warnings.back(), "bad.map: 16 more malformed lines skipped (26 in all)");
}

TEST(PerfMapReader, ReadsFilesAndRefusesWhatIsNotOne) {
  auto path = std::filesystem::temp_directory_path() / ("perf-reader-test-" + std::to_string(getpid()) + ".map");
  std::ofstream(path) << "7f0000001000 20 p.Q.r()V\n";
  PerfMap map = heapdrift::perfmap::read_perf_map(path);
  std::filesystem::remove(path);
  ASSERT_EQ(map.entries.size(), 1u);
  EXPECT_EQ(map.entries[0].start, 0x7f0000001000u);
  try {
    heapdrift::perfmap::read_perf_map("/nonexistent/perf-1.map");
    ADD_FAILURE();
  } catch (const ReadError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/perf-1.map: cannot open", 0), 0u) << e.what();
  }
  EXPECT_THROW(heapdrift::perfmap::read_perf_map("/"), ReadError);
}

// What the agent writes, the reader reads: hex without 0x, names kept whole, line
// breaks in a name turned into spaces so that they cannot forge a line.
TEST(PerfMapWriter, LinesReadBack) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  heapdrift::perfmap::PerfMapWriter w(fds[1]);
  w.entry(0x7f1234560000, 0x1c0, {"com.example.Foo", ".", "bar", "(IJ)V"});
  w.entry(0, 1, {"Interpreter"});
  w.entry(UINT64_MAX - 0x10, 0x10, {"evil\n1000 10 forged\r"});
  ASSERT_TRUE(w.flush());
  close(fds[1]);
  std::string text(4096, '\0');
  text.resize(static_cast<size_t>(read(fds[0], text.data(), text.size())));
  close(fds[0]);
  EXPECT_EQ(text, "7f1234560000 1c0 com.example.Foo.bar(IJ)V\n0 1 Interpreter\nffffffffffffffef 10 evil 1000 10 forged \n");
  PerfMap map = parse_perf_map(text, "w");
  EXPECT_EQ(map.malformed_lines, 0u);
  ASSERT_EQ(map.entries.size(), 3u);
  EXPECT_EQ(map.entries[2].name, "evil 1000 10 forged");
}

}  // namespace
