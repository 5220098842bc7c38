#include "jit_log_writer.h"

#include <cstring>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace heapdrift::perfmap {

using jitlog::RecordType;

void JitLogWriter::file_header() {
  if (!out_.usable()) return;
  const uint32_t version = jitlog::kVersion, reserved = 0;
  out_.put(jitlog::kMagic, sizeof jitlog::kMagic);
  out_.put(&version, 4);
  out_.put(&reserved, 4);
}

void JitLogWriter::session(uint64_t mono_ns, uint64_t wall_ns, uint32_t pid,
                           std::string_view vm_name, std::string_view vm_version) {
  // String ids are per session.
  strings_.clear();
  next_string_id_ = 0;
  record(RecordType::kSession, [&](auto& s) {
    s.u64(mono_ns);
    s.u64(wall_ns);
    s.u32(pid);
    s.str(vm_name);
    s.str(vm_version);
  });
}

void JitLogWriter::method_jvm_id(uint32_t id, uint64_t jvm_id) {
  record(RecordType::kMethodJvmId, [&](auto& s) {
    s.uleb(id);
    s.u64(jvm_id);
  });
}

void JitLogWriter::code_unload(uint64_t time_ns, uint64_t address) {
  record(RecordType::kCodeUnload, [&](auto& s) {
    s.u64(time_ns);
    s.u64(address);
  });
}

void JitLogWriter::dynamic_code(uint64_t time_ns, uint64_t address, uint64_t size,
                                std::string_view name) {
  record(RecordType::kDynamicCode, [&](auto& s) {
    s.u64(time_ns);
    s.u64(address);
    s.uleb(size);
    s.str(name);
  });
}

void JitLogWriter::interpreter(uint64_t time_ns, jitlog::InterpreterState state, uint64_t address, uint64_t size,
                               int64_t method_slot_offset, std::string_view detail) {
  record(RecordType::kInterpreter, [&](auto& s) {
    s.u64(time_ns);
    s.u8(static_cast<uint8_t>(state));
    s.u64(address);
    s.uleb(size);
    s.sleb(method_slot_offset);
    s.str(detail);
  });
}

bool prepare_log_for_append(int fd, bool* fresh) {
  struct stat st;  // by the system call: glibc's fstat is 2.33's (see jvmti_agent.cpp)
  if (syscall(SYS_fstat, fd, &st) != 0) return false;
  *fresh = st.st_size == 0;
  if (*fresh) return true;
  off_t size = st.st_size;
  char magic[sizeof jitlog::kMagic];
  if (size < static_cast<off_t>(jitlog::kFileHeaderSize) ||
      pread(fd, magic, sizeof magic, 0) != static_cast<ssize_t>(sizeof magic) ||
      std::memcmp(magic, jitlog::kMagic, sizeof magic) != 0) {
    return false;
  }
  off_t at = jitlog::kFileHeaderSize;
  while (at + static_cast<off_t>(jitlog::kRecordHeaderSize) <= size) {
    uint8_t header[jitlog::kRecordHeaderSize];
    if (pread(fd, header, sizeof header, at) != static_cast<ssize_t>(sizeof header)) return false;
    uint32_t length;
    std::memcpy(&length, header + 1, sizeof length);
    off_t end = at + static_cast<off_t>(sizeof header) + static_cast<off_t>(length);
    if (end > size) break;
    at = end;
  }
  return at == size || ftruncate(fd, at) == 0;
}

}  // namespace heapdrift::perfmap
