// Reads a JIT log (docs/JITLOG.md) into plain values. The log is appended while the
// JVM runs, so a log whose last record is incomplete (the JVM died while writing it) is
// accepted: the complete records before it are kept and `truncated` is set, with a
// warning. Anything else that is wrong (not a JIT log, an unknown version, a record
// that does not parse, a reference to a method never named) throws ReadError.
#ifndef HEAPDRIFT_PERFMAP_JIT_LOG_READER_H
#define HEAPDRIFT_PERFMAP_JIT_LOG_READER_H

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "read_error.h"

namespace heapdrift::perfmap {

inline constexpr uint32_t kNoMethod = UINT32_MAX;  // a method the JVM could not name

struct LineNumber {
  uint32_t start_bci = 0;  // the entry covers bytecode indices from here to the next one
  uint32_t line = 0;
  bool operator==(const LineNumber&) const = default;
};

struct LogMethod {
  std::string class_name;   // "com.example.Foo$Bar"
  std::string name;         // "bar", "<init>"
  std::string signature;    // "(IJ)V"
  std::string source_file;  // "Foo.java"; "" when the class has none
  std::vector<LineNumber> lines;  // as the class file gives them (not always sorted)
  uint64_t jvm_id = 0;  // its jmethodID (a method_jvm_id record); 0 when the log does not say
  std::string function() const { return class_name + "." + name; }
};

struct LogFrame {
  uint32_t method = kNoMethod;  // index into JitLog::methods
  int32_t bci = -1;             // bytecode index; negative: none (e.g. a method's entry)
};

// The Java frames at one pc of compiled code, innermost first (the compiled method last).
struct LogPc {
  uint64_t pc = 0;
  uint32_t first_frame = 0;  // into JitLog::frames
  uint32_t frame_count = 0;
};

struct LogSession {
  uint64_t sequence = 0;  // position among all records of the file
  uint64_t mono_ns = 0, wall_ns = 0;
  uint32_t pid = 0;
  std::string vm_name, vm_version;
};

struct LogCodeLoad {
  uint64_t sequence = 0;
  uint32_t session = 0;  // index into JitLog::sessions
  uint64_t time_ns = 0, address = 0, size = 0;
  uint32_t method = kNoMethod;
  uint32_t first_pc = 0, pc_count = 0;  // into JitLog::pcs
};

struct LogCodeUnload {
  uint64_t sequence = 0;
  uint32_t session = 0;
  uint64_t time_ns = 0, address = 0;
};

struct LogDynamicCode {
  uint64_t sequence = 0;
  uint32_t session = 0;
  uint64_t time_ns = 0, address = 0, size = 0;
  std::string name;
};

// One method of a class_methods record: the Method* the interpreter keeps in its frames.
struct LogMethodAddress {
  uint64_t sequence = 0;
  uint32_t session = 0;
  uint64_t time_ns = 0;
  uint64_t address = 0;  // the Method*
  uint32_t method = 0;   // index into JitLog::methods (no line table)
};

struct LogInterpreter {
  uint64_t sequence = 0;
  uint32_t session = 0;
  uint64_t time_ns = 0;
  uint8_t state = 0;  // jitlog::InterpreterState
  uint64_t address = 0, size = 0;
  int64_t method_slot_offset = 0;
  std::string detail;
};

struct JitLog {
  std::string file;  // the name the reader was given; warnings and errors start with it
  std::vector<LogSession> sessions;
  std::vector<LogMethod> methods;  // of every session
  std::vector<LogCodeLoad> loads;
  std::vector<LogPc> pcs;
  std::vector<LogFrame> frames;
  std::vector<LogCodeUnload> unloads;
  std::vector<LogDynamicCode> dynamic_code;
  std::vector<LogMethodAddress> method_addresses;
  std::vector<LogInterpreter> interpreters;
  bool truncated = false;
  std::vector<std::string> warnings;  // "<file>: ...", each naming the file
};

JitLog read_jit_log(const std::filesystem::path& path);
JitLog parse_jit_log(std::span<const uint8_t> bytes, std::string_view name);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_JIT_LOG_READER_H
