// Writes JIT log records (docs/JITLOG.md) to a file descriptor through a fixed buffer
// and write(2): no heap allocation, no stdio, so that it can run inside the target
// JVM, whose mallocs the shim records. Each record is encoded once, into a buffer of
// its own (RecordBuffer), so that its length can lead it; a record larger than the
// output buffer goes out in several writes, which is fine because the caller holds the
// lock for the whole record and nothing else writes to the file.
//
// NB: not thread-safe; the agent serialises all writers with one mutex.
#ifndef HEAPDRIFT_PERFMAP_JIT_LOG_WRITER_H
#define HEAPDRIFT_PERFMAP_JIT_LOG_WRITER_H

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "buffered_fd.h"
#include "jit_log_format.h"
#include "record_buffer.h"
#include "string_table.h"

namespace heapdrift::perfmap {

class JitLogWriter {
 public:
  explicit JitLogWriter(int fd = -1) : out_(fd) {}

  // Starts writing to `fd` (not owned), forgetting any earlier error and buffered data.
  void reset(int fd) { out_.reset(fd); }
  // The errno of the first failed write(2); 0 while all went well. After a failure
  // everything is dropped.
  int error() const { return out_.error(); }
  // Hands what is buffered to the kernel. Returns false once a write has failed.
  bool flush() { return out_.flush(); }

  void file_header();
  void session(uint64_t mono_ns, uint64_t wall_ns, uint32_t pid, std::string_view vm_name,
               std::string_view vm_version);

  // `lines` has size(), start(i) (the first bytecode index of entry i) and line(i), in
  // the order the class file gives them.
  template <class Lines>
  void method(uint32_t id, std::string_view class_name, std::string_view name,
              std::string_view signature, std::string_view source_file, const Lines& lines);

  // The jmethodID of the method named `id` (docs/JITLOG.md, "Methods").
  void method_jvm_id(uint32_t id, uint64_t jvm_id);

  // `pcs` describes the inlining at each pc that has debug information: count(),
  // pc(i) (an absolute address), frames(i), and method(i, j) / bci(i, j) for frame j,
  // innermost first (the compiled method itself last).
  template <class Pcs>
  void code_load(uint64_t time_ns, uint64_t address, uint64_t size, uint32_t method_id,
                 const Pcs& pcs);

  void code_unload(uint64_t time_ns, uint64_t address);
  void dynamic_code(uint64_t time_ns, uint64_t address, uint64_t size, std::string_view name);

  // `methods` has count(), address(i) (the Method*, as a number), name(i) and
  // signature(i).
  template <class Methods>
  void class_methods(uint64_t time_ns, std::string_view class_name, std::string_view source_file,
                     const Methods& methods);

  void interpreter(uint64_t time_ns, jitlog::InterpreterState state, uint64_t address, uint64_t size,
                   int64_t method_slot_offset, std::string_view detail);

 private:
  static constexpr size_t kBufferSize = 64 * 1024;

  // What every encoder writes to: the record's payload.
  class Payload {
   public:
    explicit Payload(RecordBuffer& buffer) : buffer_(buffer) {}
    void u8(uint8_t v) { buffer_.put(&v, 1); }
    void u32(uint32_t v) { buffer_.put(&v, 4); }
    void u64(uint64_t v) { buffer_.put(&v, 8); }
    void uleb(uint64_t v) {
      uint8_t b[jitlog::kMaxLeb128Size];
      buffer_.put(b, jitlog::put_uleb128(b, v));
    }
    void sleb(int64_t v) {
      uint8_t b[jitlog::kMaxLeb128Size];
      buffer_.put(b, jitlog::put_sleb128(b, v));
    }
    void str(std::string_view s) {
      uleb(s.size());
      buffer_.put(s.data(), s.size());
    }
    // A string reference (docs/JITLOG.md): a string the session has defined is its
    // id; any other is defined here (0, then the string), taking the session's next id
    // even when the table had no room to remember it.
    void string_ref(StringTable& strings, uint32_t& next_id, std::string_view s) {
      if (uint32_t id = strings.intern(s, next_id + 1)) {
        uleb(id);
        return;
      }
      ++next_id;
      uleb(0);
      str(s);
    }

   private:
    RecordBuffer& buffer_;
  };

  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the log is little-endian");

  // Encodes the record `encode` produces, then writes its header and payload.
  template <class Encode>
  void record(jitlog::RecordType type, const Encode& encode) {
    if (!out_.usable() || broken_) return;
    payload_.clear();
    Payload payload(payload_);
    encode(payload);
    if (payload_.failed() || payload_.size() > UINT32_MAX) {
      // No memory for it, or it cannot be framed (neither ever seen). Strings it defined
      // are in the table but will never be written: later references would dangle, so
      // the log ends here.
      broken_ = true;
      return;
    }
    auto length = static_cast<uint32_t>(payload_.size());
    auto kind = static_cast<uint8_t>(type);
    out_.put(&kind, 1);
    out_.put(&length, 4);
    out_.put(payload_.data(), payload_.size());
  }

  BufferedFd<kBufferSize> out_;
  RecordBuffer payload_;
  StringTable strings_;         // defined in this session, for string references
  uint32_t next_string_id_ = 0;  // the last id given
  bool broken_ = false;
};

template <class Lines>
void JitLogWriter::method(uint32_t id, std::string_view class_name, std::string_view name,
                          std::string_view signature, std::string_view source_file,
                          const Lines& lines) {
  record(jitlog::RecordType::kMethod, [&](auto& s) {
    s.uleb(id);
    s.str(class_name);
    s.str(name);
    s.str(signature);
    s.str(source_file);
    size_t n = lines.size();
    s.uleb(n);
    for (size_t i = 0; i < n; ++i) {
      s.uleb(static_cast<uint64_t>(lines.start(i)));
      s.uleb(static_cast<uint64_t>(lines.line(i)));
    }
  });
}

template <class Pcs>
void JitLogWriter::code_load(uint64_t time_ns, uint64_t address, uint64_t size,
                             uint32_t method_id, const Pcs& pcs) {
  record(jitlog::RecordType::kCodeLoad, [&](auto& s) {
    s.u64(time_ns);
    s.u64(address);
    s.uleb(size);
    s.uleb(method_id);
    size_t n = pcs.count();
    s.uleb(n);
    uint64_t previous = address;
    for (size_t i = 0; i < n; ++i) {
      uint64_t pc = pcs.pc(i);
      s.sleb(static_cast<int64_t>(pc - previous));  // HotSpot's pcs ascend: small deltas
      previous = pc;
      size_t frames = pcs.frames(i);
      s.uleb(frames);
      for (size_t j = 0; j < frames; ++j) {
        s.uleb(pcs.method(i, j));
        s.sleb(pcs.bci(i, j));
      }
    }
  });
}

template <class Methods>
void JitLogWriter::class_methods(uint64_t time_ns, std::string_view class_name, std::string_view source_file,
                                 const Methods& methods) {
  record(jitlog::RecordType::kClassMethods, [&](auto& s) {
    s.u64(time_ns);
    s.str(class_name);
    s.str(source_file);
    size_t n = methods.count();
    s.uleb(n);
    uint64_t previous = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t address = methods.address(i);
      s.sleb(static_cast<int64_t>(address - previous));  // a class's methods lie close together
      previous = address;
      s.string_ref(strings_, next_string_id_, methods.name(i));
      s.string_ref(strings_, next_string_id_, methods.signature(i));
    }
  });
}

// Before appending to the log open on `fd`: sets *fresh when the file is empty (the
// caller then writes the file header). A log whose last record is torn (an earlier
// writer died mid-record) is cut back to its last complete record, so that what is
// appended stays readable. Returns false, touching nothing, when the file is not a JIT
// log or cannot be read.
bool prepare_log_for_append(int fd, bool* fresh);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_JIT_LOG_WRITER_H
