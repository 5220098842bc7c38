#include "log_builder.h"

#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace perfmaptest {

using heapdrift::perfmap::JitLog;
using heapdrift::perfmap::JitLogWriter;

LogBuilder::LogBuilder(uint64_t start_ns, uint32_t pid) {
  fd_ = memfd_create("jit.log", MFD_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("memfd_create failed");
  writer_ = std::make_unique<JitLogWriter>(fd_);
  writer_->file_header();
  session(start_ns, pid);
}

LogBuilder::~LogBuilder() { close(fd_); }

LogBuilder& LogBuilder::session(uint64_t mono_ns, uint32_t pid) {
  writer_->session(mono_ns, mono_ns + 1'700'000'000'000'000'000ull, pid, "Test VM", "1.0");
  return *this;
}

LogBuilder& LogBuilder::method(uint32_t id, const std::string& cls, const std::string& name,
                               const std::string& signature, const std::string& file, TestLines lines) {
  writer_->method(id, cls, name, signature, file, lines);
  return *this;
}

LogBuilder& LogBuilder::jvm_id(uint32_t method, uint64_t jvm_id) {
  writer_->method_jvm_id(method, jvm_id);
  return *this;
}

LogBuilder& LogBuilder::load(uint64_t t, uint64_t address, uint64_t size, uint32_t method, std::vector<TestPc> pcs) {
  writer_->code_load(t, address, size, method, TestPcs{std::move(pcs)});
  return *this;
}

LogBuilder& LogBuilder::unload(uint64_t t, uint64_t address) {
  writer_->code_unload(t, address);
  return *this;
}

LogBuilder& LogBuilder::class_methods(uint64_t t, const std::string& cls, const std::string& file,
                                      TestClassMethods methods) {
  writer_->class_methods(t, cls, file, methods);
  return *this;
}

LogBuilder& LogBuilder::dynamic(uint64_t t, uint64_t address, uint64_t size, const std::string& name) {
  writer_->dynamic_code(t, address, size, name);
  return *this;
}

std::vector<uint8_t> LogBuilder::bytes() {
  if (!writer_->flush()) throw std::runtime_error("the writer failed");
  struct stat st;
  fstat(fd_, &st);
  std::vector<uint8_t> out(static_cast<size_t>(st.st_size));
  if (pread(fd_, out.data(), out.size(), 0) != static_cast<ssize_t>(out.size())) {
    throw std::runtime_error("pread failed");
  }
  return out;
}

JitLog LogBuilder::parse(const std::vector<uint8_t>& bytes) {
  return heapdrift::perfmap::parse_jit_log(bytes, "test.log");
}

}  // namespace perfmaptest
