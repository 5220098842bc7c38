// The JIT log round trip: records written by the agent's writer, read back by the
// reader; a log cut anywhere (a crash mid-write) still reads up to its last complete
// record; corruption is refused with the offset of the bad record.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "jit_log_format.h"
#include "log_builder.h"

namespace {

using heapdrift::perfmap::JitLog;
using heapdrift::perfmap::kNoMethod;
using heapdrift::perfmap::LineNumber;
using heapdrift::perfmap::ReadError;
using perfmaptest::LogBuilder;
using perfmaptest::TestPc;

// A small log with one of every record.
void small_log(LogBuilder& b) {
  b.method(1, "com.example.Foo", "compute", "(I)J", "Foo.java", {{{0, 10}, {4, 11}, {9, 12}}})
      .method(2, "com.example.Foo$Inner", "<init>", "()V")
      .load(100, 0x7f0000001000, 0x200, 1,
            {{0x7f0000001010, {{2, 3}, {1, 4}}}, {0x7f0000001040, {{1, -1}}}, {0x7f0000001038, {{1, 9}}}})
      .dynamic(110, 0x7f0000100000, 0x18000, "Interpreter")
      .unload(120, 0x7f0000001000);
}

TEST(JitLog, RoundTrip) {
  LogBuilder b(7, 31337);
  small_log(b);
  JitLog log = b.log();

  EXPECT_FALSE(log.truncated);
  EXPECT_TRUE(log.warnings.empty());
  ASSERT_EQ(log.sessions.size(), 1u);
  EXPECT_EQ(log.sessions[0].mono_ns, 7u);
  EXPECT_EQ(log.sessions[0].pid, 31337u);
  EXPECT_EQ(log.sessions[0].vm_name, "Test VM");
  EXPECT_EQ(log.sessions[0].vm_version, "1.0");

  ASSERT_EQ(log.methods.size(), 2u);
  EXPECT_EQ(log.methods[0].function(), "com.example.Foo.compute");
  EXPECT_EQ(log.methods[0].signature, "(I)J");
  EXPECT_EQ(log.methods[0].source_file, "Foo.java");
  EXPECT_EQ(log.methods[0].lines, (std::vector<LineNumber>{{0, 10}, {4, 11}, {9, 12}}));
  EXPECT_EQ(log.methods[1].function(), "com.example.Foo$Inner.<init>");
  EXPECT_EQ(log.methods[1].source_file, "");

  ASSERT_EQ(log.loads.size(), 1u);
  const auto& load = log.loads[0];
  EXPECT_EQ(load.time_ns, 100u);
  EXPECT_EQ(load.address, 0x7f0000001000u);
  EXPECT_EQ(load.size, 0x200u);
  EXPECT_EQ(load.method, 0u);
  ASSERT_EQ(load.pc_count, 3u);
  // The pcs as written, the third one below the second (a negative delta).
  const auto& pc0 = log.pcs[load.first_pc];
  EXPECT_EQ(pc0.pc, 0x7f0000001010u);
  ASSERT_EQ(pc0.frame_count, 2u);
  EXPECT_EQ(log.frames[pc0.first_frame].method, 1u);  // Foo$Inner.<init>, innermost
  EXPECT_EQ(log.frames[pc0.first_frame].bci, 3);
  EXPECT_EQ(log.frames[pc0.first_frame + 1].method, 0u);
  EXPECT_EQ(log.frames[pc0.first_frame + 1].bci, 4);
  EXPECT_EQ(log.pcs[load.first_pc + 1].pc, 0x7f0000001040u);
  EXPECT_EQ(log.frames[log.pcs[load.first_pc + 1].first_frame].bci, -1);
  EXPECT_EQ(log.pcs[load.first_pc + 2].pc, 0x7f0000001038u);

  ASSERT_EQ(log.dynamic_code.size(), 1u);
  EXPECT_EQ(log.dynamic_code[0].name, "Interpreter");
  EXPECT_EQ(log.dynamic_code[0].address, 0x7f0000100000u);
  EXPECT_EQ(log.dynamic_code[0].size, 0x18000u);
  ASSERT_EQ(log.unloads.size(), 1u);
  EXPECT_EQ(log.unloads[0].address, 0x7f0000001000u);
  EXPECT_EQ(log.unloads[0].time_ns, 120u);
  // Records keep their file order.
  EXPECT_LT(log.sessions[0].sequence, load.sequence);
  EXPECT_LT(load.sequence, log.dynamic_code[0].sequence);
  EXPECT_LT(log.dynamic_code[0].sequence, log.unloads[0].sequence);
}

// Interpreted frames' records: class_methods (Method* deltas may go down as well as up,
// and span the whole address space) and the interpreter state.
TEST(JitLog, ClassMethodsAndInterpreterRoundTrip) {
  LogBuilder b(5);
  b.class_methods(200, "com.example.Foo", "Foo.java",
                  {{{0x7f00beef0100, "compute", "(I)J"}, {0x7f00beef0040, "<init>", "()V"}, {0xFFFFFFFFFFFFFFF8, "max", "()V"}}})
      .class_methods(210, "NoSource", "", {{{0x10, "m", "()V"}}});
  b.writer().interpreter(220, heapdrift::perfmap::jitlog::InterpreterState::kCaptured, 0x7f0000100000, 0x18000, -24,
                         "frame layout verified");
  JitLog log = b.log();
  ASSERT_EQ(log.method_addresses.size(), 4u);
  const auto& a = log.method_addresses;
  EXPECT_EQ(a[0].address, 0x7f00beef0100u);
  EXPECT_EQ(a[1].address, 0x7f00beef0040u);
  EXPECT_EQ(a[2].address, 0xFFFFFFFFFFFFFFF8u);
  EXPECT_EQ(a[3].address, 0x10u);
  EXPECT_EQ(a[0].time_ns, 200u);
  EXPECT_EQ(a[3].time_ns, 210u);
  EXPECT_EQ(log.methods[a[1].method].class_name, "com.example.Foo");
  EXPECT_EQ(log.methods[a[1].method].name, "<init>");
  EXPECT_EQ(log.methods[a[1].method].signature, "()V");
  EXPECT_EQ(log.methods[a[1].method].source_file, "Foo.java");
  EXPECT_EQ(log.methods[a[3].method].function(), "NoSource.m");
  EXPECT_EQ(log.methods[a[3].method].source_file, "");
  ASSERT_EQ(log.interpreters.size(), 1u);
  EXPECT_EQ(log.interpreters[0].state, 1);
  EXPECT_EQ(log.interpreters[0].address, 0x7f0000100000u);
  EXPECT_EQ(log.interpreters[0].size, 0x18000u);
  EXPECT_EQ(log.interpreters[0].method_slot_offset, -24);
  EXPECT_EQ(log.interpreters[0].detail, "frame layout verified");
  EXPECT_TRUE(log.warnings.empty());
}

// Names and signatures are written once per session and referred to by id afterwards
// (within a record and across records); a new session defines them afresh.
TEST(JitLog, ClassMethodStringsAreSharedWithinASession) {
  LogBuilder b(5);
  std::vector<std::tuple<uint64_t, std::string, std::string>> many;
  for (uint64_t i = 0; i < 100; ++i) many.emplace_back(0x9000 + 8 * i, i % 2 ? "run" : "<init>", "()V");
  b.class_methods(10, "A", "", {many});
  size_t one = b.bytes().size();
  b.class_methods(20, "B", "", {many});
  size_t two = b.bytes().size();
  b.session(1000).class_methods(1010, "C", "", {{{0x9000, "run", "()V"}}});
  // 100 methods of a record: each a delta (1 byte) and two references (1 byte each),
  // the three strings spelt once.
  EXPECT_LT(two - one, 100u * 3 + 40);
  JitLog log = b.log();
  ASSERT_EQ(log.method_addresses.size(), 201u);
  for (size_t i = 0; i < 200; ++i) {
    const auto& m = log.methods[log.method_addresses[i].method];
    EXPECT_EQ(m.name, i % 2 ? "run" : "<init>") << i;
    EXPECT_EQ(m.signature, "()V") << i;
  }
  const auto& c = log.methods[log.method_addresses[200].method];
  EXPECT_EQ(c.function(), "C.run");
  EXPECT_EQ(c.signature, "()V");
  EXPECT_EQ(log.method_addresses[200].session, 1u);
}

TEST(JitLog, AStringReferenceMustBeDefinedFirst) {
  LogBuilder b(5);
  std::vector<uint8_t> bytes = b.bytes();
  // class_methods: time, class "A", no source, one method: delta 8, name ref 1 (undefined), signature "()V".
  std::vector<uint8_t> payload(8, 0);
  for (int v : {1, int{'A'}, 0, 1, 8, 1, 0, 3, int{'('}, int{')'}, int{'V'}}) payload.push_back(static_cast<uint8_t>(v));
  bytes.push_back(6);
  uint32_t length = static_cast<uint32_t>(payload.size());
  bytes.insert(bytes.end(), reinterpret_cast<uint8_t*>(&length), reinterpret_cast<uint8_t*>(&length) + 4);
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  try {
    heapdrift::perfmap::parse_jit_log(bytes, "x.log");
    FAIL() << "an undefined string reference was accepted";
  } catch (const ReadError& e) {
    EXPECT_NE(std::string(e.what()).find("refers to string 1, never defined before it"), std::string::npos) << e.what();
  }
}

TEST(JitLog, UnknownMethodIdZeroAndExtremeValues) {
  LogBuilder b;
  std::string odd_name("na\0me\n\xff", 7);
  b.method(0xffffffffu, "C", odd_name, "()V")
      .load(UINT64_MAX, UINT64_MAX - 0x10, 0x10, 0, {{UINT64_MAX - 1, {{0xffffffffu, INT32_MIN}, {0, INT32_MAX}}}});
  JitLog log = b.log();
  ASSERT_EQ(log.methods.size(), 1u);
  EXPECT_EQ(log.methods[0].name, odd_name);
  ASSERT_EQ(log.loads.size(), 1u);
  EXPECT_EQ(log.loads[0].method, kNoMethod);
  EXPECT_EQ(log.loads[0].time_ns, UINT64_MAX);
  const auto& pc = log.pcs[log.loads[0].first_pc];
  EXPECT_EQ(pc.pc, UINT64_MAX - 1);
  EXPECT_EQ(log.frames[pc.first_frame].method, 0u);
  EXPECT_EQ(log.frames[pc.first_frame].bci, INT32_MIN);
  EXPECT_EQ(log.frames[pc.first_frame + 1].method, kNoMethod);
  EXPECT_EQ(log.frames[pc.first_frame + 1].bci, INT32_MAX);
}

// A record much larger than the writer's 64 KiB buffer goes out in several writes and
// still reads back whole (C2 code of a big method has thousands of pcs).
TEST(JitLog, RecordLargerThanTheWriterBuffer) {
  LogBuilder b;
  b.method(1, "Big", "m", "()V");
  std::vector<TestPc> pcs;
  for (uint64_t i = 0; i < 30000; ++i) pcs.push_back({0x10000 + 3 * i, {{1, int32_t(i)}, {1, int32_t(i + 1)}}});
  b.load(5, 0x10000, 3 * 30000, 1, pcs);
  std::vector<uint8_t> bytes = b.bytes();
  EXPECT_GT(bytes.size(), 2u * 64 * 1024);
  JitLog log = LogBuilder::parse(bytes);
  ASSERT_EQ(log.loads.size(), 1u);
  ASSERT_EQ(log.loads[0].pc_count, 30000u);
  const auto& last = log.pcs[log.loads[0].first_pc + 29999];
  EXPECT_EQ(last.pc, 0x10000u + 3 * 29999);
  EXPECT_EQ(log.frames[last.first_frame + 1].bci, 30000);
}

// Offsets at which records end, read independently of the reader: the file header,
// then each record's type byte and u32 length.
std::vector<size_t> record_ends(const std::vector<uint8_t>& bytes) {
  std::vector<size_t> ends;
  size_t at = heapdrift::perfmap::jitlog::kFileHeaderSize;
  while (at < bytes.size()) {
    uint32_t length;
    std::memcpy(&length, bytes.data() + at + 1, 4);
    at += 5 + length;
    ends.push_back(at);
  }
  EXPECT_EQ(at, bytes.size());
  return ends;
}

// The JVM can die at any byte: every prefix of a log reads, keeps exactly the records
// complete in it, and says whether it lost a torn one.
TEST(JitLog, EveryTruncationKeepsTheCompleteRecords) {
  LogBuilder b;
  small_log(b);
  std::vector<uint8_t> bytes = b.bytes();
  std::vector<size_t> ends = record_ends(bytes);
  ASSERT_EQ(ends.size(), 6u);  // session, 2 methods, load, dynamic, unload

  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + cut);
    JitLog log = LogBuilder::parse(prefix);
    size_t complete = 0;
    while (complete < ends.size() && ends[complete] <= cut) ++complete;
    bool at_boundary = cut == heapdrift::perfmap::jitlog::kFileHeaderSize ||
                       (complete > 0 && ends[complete - 1] == cut);
    EXPECT_EQ(log.truncated, !at_boundary);
    EXPECT_EQ(log.warnings.size(), at_boundary ? 0u : 1u);
    size_t records = log.sessions.size() + log.methods.size() + log.loads.size() + log.dynamic_code.size() +
                     log.unloads.size();
    EXPECT_EQ(records, complete);
  }
}

TEST(JitLog, TruncationWarningSaysWhere) {
  LogBuilder b;
  small_log(b);
  std::vector<uint8_t> bytes = b.bytes();
  std::vector<size_t> ends = record_ends(bytes);
  bytes.resize(ends[2] + 7);  // into the load record
  JitLog log = LogBuilder::parse(bytes);
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("test.log"), std::string::npos) << log.warnings[0];
  EXPECT_NE(log.warnings[0].find("offset " + std::to_string(ends[2])), std::string::npos) << log.warnings[0];
  EXPECT_NE(log.warnings[0].find("incomplete"), std::string::npos) << log.warnings[0];
  EXPECT_EQ(log.methods.size(), 2u);
  EXPECT_TRUE(log.loads.empty());
}

void expect_corrupt(const std::vector<uint8_t>& bytes, const std::string& expected) {
  try {
    LogBuilder::parse(bytes);
    ADD_FAILURE() << "no error; expected one mentioning '" << expected << "'";
  } catch (const ReadError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test.log"), std::string::npos) << e.what();
  }
}

TEST(JitLog, CorruptionIsRefused) {
  LogBuilder b;
  small_log(b);
  const std::vector<uint8_t> good = b.bytes();
  std::vector<size_t> ends = record_ends(good);

  auto bad = good;
  bad[0] = 'X';
  expect_corrupt(bad, "not a heapdrift JIT log");

  bad = good;
  bad[8] = 2;
  expect_corrupt(bad, "version 2 is not supported");

  // A record whose length claims one byte fewer than its payload: the reader meets a
  // payload it cannot consume exactly, then garbage.
  bad = good;
  uint32_t length;
  std::memcpy(&length, bad.data() + ends[0] + 1, 4);
  length -= 1;
  std::memcpy(bad.data() + ends[0] + 1, &length, 4);
  expect_corrupt(bad, "offset " + std::to_string(ends[0]));

  // One more byte inside a record: it is complete but not consumed exactly.
  bad = good;
  std::memcpy(&length, bad.data() + ends[2] + 1, 4);
  length += 1;
  std::memcpy(bad.data() + ends[2] + 1, &length, 4);
  bad.insert(bad.begin() + ends[3], 0);
  expect_corrupt(bad, "1 unexpected bytes at its end");
}

TEST(JitLog, ReferencesMustBeDefinedFirst) {
  LogBuilder undefined;
  undefined.load(1, 0x1000, 0x10, 3);
  expect_corrupt(undefined.bytes(), "method id 3, never defined");

  LogBuilder twice;
  twice.method(1, "A", "a", "()V").method(1, "B", "b", "()V");
  expect_corrupt(twice.bytes(), "method id 1 is defined twice");

  // Method ids are per session: after a new session, id 1 must be named again.
  LogBuilder sessions;
  sessions.method(1, "A", "a", "()V").session(50).load(60, 0x1000, 0x10, 1);
  expect_corrupt(sessions.bytes(), "method id 1, never defined");

  // Nothing before the session record.
  LogBuilder other;
  other.method(1, "A", "a", "()V");
  std::vector<uint8_t> with_method = other.bytes();
  std::vector<size_t> ends = record_ends(with_method);
  std::vector<uint8_t> bytes(with_method.begin(), with_method.begin() + 16);
  bytes.insert(bytes.end(), with_method.begin() + ends[0], with_method.end());  // drop the session
  expect_corrupt(bytes, "before the first session record");
}

// A method's jmethodID comes in a record of its own, after the method's; a log without
// them (an agent before 2026-12) leaves it 0.
TEST(JitLog, MethodJvmIds) {
  LogBuilder b;
  b.method(1, "A", "a", "()V").jvm_id(1, 0x7f00deadbee8).method(2, "A", "b", "()V");
  JitLog log = b.log();
  ASSERT_EQ(log.methods.size(), 2u);
  EXPECT_EQ(log.methods[0].jvm_id, 0x7f00deadbee8u);
  EXPECT_EQ(log.methods[1].jvm_id, 0u);
  EXPECT_TRUE(log.warnings.empty());

  LogBuilder undefined;
  undefined.jvm_id(3, 0x1000);
  expect_corrupt(undefined.bytes(), "method id 3, never defined");
  LogBuilder zero;
  zero.jvm_id(0, 0x1000);
  expect_corrupt(zero.bytes(), "method id 0 is reserved");
}

TEST(JitLog, UnknownRecordTypesAreSkipped) {
  LogBuilder b;
  b.method(1, "A", "a", "()V");
  std::vector<uint8_t> bytes = b.bytes();
  const uint8_t future[] = {200, 3, 0, 0, 0, 1, 2, 3};
  bytes.insert(bytes.end(), std::begin(future), std::end(future));
  LogBuilder tail;
  tail.method(2, "B", "b", "()V");
  std::vector<uint8_t> more = tail.bytes();
  std::vector<size_t> ends = record_ends(more);
  bytes.insert(bytes.end(), more.begin() + ends[0], more.end());  // method 2, without header and session
  JitLog log = LogBuilder::parse(bytes);
  ASSERT_EQ(log.methods.size(), 2u);
  EXPECT_EQ(log.methods[1].name, "b");
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("1 records of unknown types"), std::string::npos) << log.warnings[0];
}

TEST(JitLog, EmptyOrHeaderOnlyLogs) {
  JitLog empty = LogBuilder::parse({});
  EXPECT_TRUE(empty.truncated);
  EXPECT_EQ(empty.warnings.size(), 1u);
  JitLog partial = LogBuilder::parse({'H', 'D', 'J', 'I'});
  EXPECT_TRUE(partial.truncated);
  expect_corrupt({'H', 'D', 'X'}, "not a heapdrift JIT log");
}

TEST(JitLog, FilesThatCannotBeRead) {
  EXPECT_THROW(heapdrift::perfmap::read_jit_log("/nonexistent/jit.log"), ReadError);
  try {
    heapdrift::perfmap::read_jit_log("/");
    ADD_FAILURE();
  } catch (const ReadError& e) {
    EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos) << e.what();
  }
}

TEST(JitLog, ReadsFromAFile) {
  LogBuilder b;
  small_log(b);
  std::vector<uint8_t> bytes = b.bytes();
  auto path = std::filesystem::temp_directory_path() / ("jit-log-test-" + std::to_string(getpid()) + ".log");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  JitLog log = heapdrift::perfmap::read_jit_log(path);
  std::filesystem::remove(path);
  EXPECT_EQ(log.loads.size(), 1u);
  EXPECT_EQ(log.methods.size(), 2u);
}

// The writer never crashes the JVM: a failed write(2) is remembered and later records
// are dropped.
TEST(JitLogWriter, AWriteErrorIsKeptAndLaterRecordsDropped) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  heapdrift::perfmap::JitLogWriter w(fd);
  w.file_header();
  w.dynamic_code(1, 0x1000, 0x10, "stub");
  EXPECT_FALSE(w.flush());
  EXPECT_EQ(w.error(), EBADF);
  w.dynamic_code(2, 0x2000, 0x10, "stub");
  EXPECT_FALSE(w.flush());
  close(fd);
}

// What the agent does with a log it finds already there: keep it, cut a torn tail.
TEST(JitLogWriter, PrepareForAppend) {
  LogBuilder b;
  small_log(b);
  std::vector<uint8_t> bytes = b.bytes();
  std::vector<size_t> ends = record_ends(bytes);

  auto file_with = [](const std::vector<uint8_t>& content) {
    int fd = memfd_create("log", MFD_CLOEXEC);
    EXPECT_EQ(write(fd, content.data(), content.size()), ssize_t(content.size()));
    return fd;
  };
  auto size_of = [](int fd) { return lseek(fd, 0, SEEK_END); };

  bool fresh = false;
  int empty = file_with({});
  EXPECT_TRUE(heapdrift::perfmap::prepare_log_for_append(empty, &fresh));
  EXPECT_TRUE(fresh);
  close(empty);

  int whole = file_with(bytes);
  EXPECT_TRUE(heapdrift::perfmap::prepare_log_for_append(whole, &fresh));
  EXPECT_FALSE(fresh);
  EXPECT_EQ(size_of(whole), off_t(bytes.size()));
  close(whole);

  for (size_t extra : {1, 4, 5, 9}) {
    std::vector<uint8_t> torn(bytes.begin(), bytes.begin() + ends[3] + extra);
    int fd = file_with(torn);
    EXPECT_TRUE(heapdrift::perfmap::prepare_log_for_append(fd, &fresh));
    EXPECT_EQ(size_of(fd), off_t(ends[3])) << extra;
    close(fd);
  }

  int other = file_with({'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h', '\n', 'e', 'c', 'h', 'o', ' ', 'x', '\n'});
  EXPECT_FALSE(heapdrift::perfmap::prepare_log_for_append(other, &fresh));
  EXPECT_EQ(size_of(other), 17);
  close(other);
}

}  // namespace
