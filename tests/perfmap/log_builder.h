// Test side: JIT logs written by the agent's own writer (JitLogWriter) into an
// in-memory file, then read back with the real reader. Lets a test state a sequence of
// JIT events compactly: method(), load(), unload(), dynamic().
#ifndef HEAPDRIFT_TESTS_PERFMAP_LOG_BUILDER_H
#define HEAPDRIFT_TESTS_PERFMAP_LOG_BUILDER_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "jit_log_reader.h"
#include "jit_log_writer.h"

namespace perfmaptest {

// One pc of an inlining record: (method id, bci) frames, innermost first.
struct TestPc {
  uint64_t pc;
  std::vector<std::pair<uint32_t, int32_t>> frames;
};

// The Pcs concept of JitLogWriter::code_load over a vector.
struct TestPcs {
  std::vector<TestPc> pcs;
  size_t count() const { return pcs.size(); }
  uint64_t pc(size_t i) const { return pcs[i].pc; }
  size_t frames(size_t i) const { return pcs[i].frames.size(); }
  uint32_t method(size_t i, size_t j) const { return pcs[i].frames[j].first; }
  int32_t bci(size_t i, size_t j) const { return pcs[i].frames[j].second; }
};

// The Lines concept of JitLogWriter::method: (start bci, line) pairs.
struct TestLines {
  std::vector<std::pair<uint32_t, uint32_t>> entries;
  size_t size() const { return entries.size(); }
  uint32_t start(size_t i) const { return entries[i].first; }
  uint32_t line(size_t i) const { return entries[i].second; }
};

// The Methods concept of JitLogWriter::class_methods: (Method*, name, signature).
struct TestClassMethods {
  std::vector<std::tuple<uint64_t, std::string, std::string>> methods;
  size_t count() const { return methods.size(); }
  uint64_t address(size_t i) const { return std::get<0>(methods[i]); }
  std::string_view name(size_t i) const { return std::get<1>(methods[i]); }
  std::string_view signature(size_t i) const { return std::get<2>(methods[i]); }
};

class LogBuilder {
 public:
  // A log with its file header and a first session started at `start_ns`.
  explicit LogBuilder(uint64_t start_ns = 1, uint32_t pid = 4242);
  ~LogBuilder();
  LogBuilder(const LogBuilder&) = delete;
  LogBuilder& operator=(const LogBuilder&) = delete;

  LogBuilder& session(uint64_t mono_ns, uint32_t pid = 4242);
  LogBuilder& method(uint32_t id, const std::string& cls, const std::string& name, const std::string& signature,
                     const std::string& file = "", TestLines lines = {});
  LogBuilder& jvm_id(uint32_t method, uint64_t jvm_id);
  LogBuilder& load(uint64_t t, uint64_t address, uint64_t size, uint32_t method, std::vector<TestPc> pcs = {});
  LogBuilder& unload(uint64_t t, uint64_t address);
  LogBuilder& dynamic(uint64_t t, uint64_t address, uint64_t size, const std::string& name);
  LogBuilder& class_methods(uint64_t t, const std::string& cls, const std::string& file, TestClassMethods methods);

  heapdrift::perfmap::JitLogWriter& writer() { return *writer_; }
  int fd() const { return fd_; }
  std::vector<uint8_t> bytes();  // everything written so far
  heapdrift::perfmap::JitLog log() { return parse(bytes()); }
  static heapdrift::perfmap::JitLog parse(const std::vector<uint8_t>& bytes);

 private:
  int fd_;
  std::unique_ptr<heapdrift::perfmap::JitLogWriter> writer_;
};

}  // namespace perfmaptest

#endif  // HEAPDRIFT_TESTS_PERFMAP_LOG_BUILDER_H
