#include "jit_log_reader.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <unordered_map>

#include "jit_log_format.h"

namespace heapdrift::perfmap {
namespace {

using jitlog::RecordType;

// Bounds-checked decoding of one record's payload; throws ReadError naming the file,
// the record's offset and what is wrong.
class Payload {
 public:
  Payload(std::span<const uint8_t> data, const std::string& file, uint64_t offset)
      : data_(data), file_(file), offset_(offset) {}

  uint8_t u8() { return byte(); }
  uint32_t u32() { return fixed<uint32_t>(); }
  uint64_t u64() { return fixed<uint64_t>(); }

  uint64_t uleb() {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      uint8_t b = byte();
      if (shift == 63 && (b & 0x7e)) fail("a LEB128 number overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      if (shift == 63) fail("a LEB128 number is longer than 10 bytes");
    }
  }

  int64_t sleb() {
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
      if (shift > 63) fail("a LEB128 number is longer than 10 bytes");
      b = byte();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) v |= ~uint64_t{0} << shift;
    return static_cast<int64_t>(v);
  }

  uint32_t uleb32(const char* what) {
    uint64_t v = uleb();
    if (v > UINT32_MAX) fail(std::string(what) + " " + std::to_string(v) + " is out of range");
    return static_cast<uint32_t>(v);
  }

  std::string str() {
    uint64_t n = uleb();
    need(n);
    std::string s(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }

  // A count of entries of at least `min_size` bytes each, checked against what is left.
  size_t count(size_t min_size) {
    uint64_t n = uleb();
    if (n > (data_.size() - pos_) / min_size) {
      fail("a count of " + std::to_string(n) + " cannot fit in the " + std::to_string(data_.size() - pos_) +
           " bytes left");
    }
    return static_cast<size_t>(n);
  }

  void expect_end() {
    if (pos_ != data_.size()) fail(std::to_string(data_.size() - pos_) + " unexpected bytes at its end");
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw ReadError(file_ + ": corrupt JIT log: the record at offset " + std::to_string(offset_) + " is malformed: " +
                    problem);
  }

 private:
  uint8_t byte() {
    need(1);
    return data_[pos_++];
  }

  template <class T>
  T fixed() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }

  void need(uint64_t n) const {
    if (n > data_.size() - pos_) fail("it ends in the middle of a field");
  }

  std::span<const uint8_t> data_;
  const std::string& file_;
  uint64_t offset_;
  size_t pos_ = 0;
};

class Parser {
 public:
  Parser(std::span<const uint8_t> bytes, std::string_view name) : bytes_(bytes), file_(name) {}

  JitLog parse() {
    log_.file = file_;
    if (!header()) return std::move(log_);
    uint64_t offset = jitlog::kFileHeaderSize, sequence = 0;
    while (offset < bytes_.size()) {
      if (bytes_.size() - offset < jitlog::kRecordHeaderSize) {
        truncated(offset);
        break;
      }
      auto type = static_cast<RecordType>(bytes_[offset]);
      uint32_t length;
      std::memcpy(&length, bytes_.data() + offset + 1, sizeof length);
      uint64_t payload_at = offset + jitlog::kRecordHeaderSize;
      if (length > bytes_.size() - payload_at) {
        truncated(offset);
        break;
      }
      Payload payload(bytes_.subspan(payload_at, length), file_, offset);
      record(type, payload, sequence++);
      offset = payload_at + length;
    }
    if (unknown_records_ > 0) {
      log_.warnings.push_back(file_ + ": " + std::to_string(unknown_records_) +
                              " records of unknown types skipped (written by a newer agent?)");
    }
    return std::move(log_);
  }

 private:
  bool header() {
    size_t n = std::min(bytes_.size(), jitlog::kFileHeaderSize);
    size_t magic = std::min(n, sizeof jitlog::kMagic);
    // An empty file's bytes may have no address at all, which memcmp may not be given.
    if (magic > 0 && std::memcmp(bytes_.data(), jitlog::kMagic, magic) != 0) {
      throw ReadError(file_ + ": not a heapdrift JIT log (bad magic)");
    }
    if (n < jitlog::kFileHeaderSize) {
      // The agent writes the header right after creating the file: dying in between
      // leaves an empty log, which holds no code but is not corrupt.
      log_.truncated = true;
      log_.warnings.push_back(file_ + ": the JIT log is empty or its header incomplete (" + std::to_string(n) +
                              " bytes); it names no code");
      return false;
    }
    uint32_t version;
    std::memcpy(&version, bytes_.data() + 8, sizeof version);
    if (version != jitlog::kVersion) {
      throw ReadError(file_ + ": JIT log version " + std::to_string(version) + " is not supported (this reader reads " +
                      std::to_string(jitlog::kVersion) + ")");
    }
    return true;
  }

  void truncated(uint64_t offset) {
    log_.truncated = true;
    log_.warnings.push_back(file_ + ": the last record (at offset " + std::to_string(offset) + ", " +
                            std::to_string(bytes_.size() - offset) +
                            " bytes) is incomplete and was ignored: the process ended while writing it");
  }

  // A string reference: 0 and a string (defined here: it gets the session's next id),
  // or the id of one defined before in this session.
  const std::string& string_ref(Payload& p) {
    uint64_t ref = p.uleb();
    if (ref == 0) {
      strings_.push_back(p.str());
      return strings_.back();
    }
    if (ref > strings_.size()) p.fail("it refers to string " + std::to_string(ref) + ", never defined before it");
    return strings_[ref - 1];
  }

  uint32_t method_index(Payload& p, uint32_t id) {
    if (id == jitlog::kUnknownMethod) return kNoMethod;
    auto it = method_ids_.find(id);
    if (it == method_ids_.end()) p.fail("it refers to method id " + std::to_string(id) + ", never defined before it");
    return it->second;
  }

  void record(RecordType type, Payload& p, uint64_t sequence) {
    if (type != RecordType::kSession && log_.sessions.empty() &&
        (type == RecordType::kMethod || type == RecordType::kCodeLoad || type == RecordType::kCodeUnload ||
         type == RecordType::kDynamicCode || type == RecordType::kClassMethods ||
         type == RecordType::kInterpreter || type == RecordType::kMethodJvmId)) {
      p.fail("it comes before the first session record");
    }
    uint32_t session = log_.sessions.empty() ? 0 : static_cast<uint32_t>(log_.sessions.size() - 1);
    switch (type) {
      case RecordType::kSession: {
        LogSession s;
        s.sequence = sequence;
        s.mono_ns = p.u64();
        s.wall_ns = p.u64();
        s.pid = p.u32();
        s.vm_name = p.str();
        s.vm_version = p.str();
        p.expect_end();
        log_.sessions.push_back(std::move(s));
        method_ids_.clear();  // ids are per session
        strings_.clear();
        break;
      }
      case RecordType::kMethod: {
        uint32_t id = p.uleb32("method id");
        if (id == jitlog::kUnknownMethod) p.fail("method id 0 is reserved");
        LogMethod m;
        m.class_name = p.str();
        m.name = p.str();
        m.signature = p.str();
        m.source_file = p.str();
        size_t n = p.count(2);
        m.lines.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          LineNumber l;
          l.start_bci = p.uleb32("bytecode index");
          l.line = p.uleb32("line number");
          m.lines.push_back(l);
        }
        p.expect_end();
        if (!method_ids_.emplace(id, static_cast<uint32_t>(log_.methods.size())).second) {
          p.fail("method id " + std::to_string(id) + " is defined twice");
        }
        log_.methods.push_back(std::move(m));
        break;
      }
      case RecordType::kCodeLoad: {
        LogCodeLoad c;
        c.sequence = sequence;
        c.session = session;
        c.time_ns = p.u64();
        c.address = p.u64();
        c.size = p.uleb();
        if (c.address + c.size < c.address) p.fail("the code range runs past the end of the address space");
        c.method = method_index(p, p.uleb32("method id"));
        size_t pcs = p.count(2);
        c.first_pc = static_cast<uint32_t>(log_.pcs.size());
        c.pc_count = static_cast<uint32_t>(pcs);
        uint64_t pc = c.address;
        for (size_t i = 0; i < pcs; ++i) {
          pc += static_cast<uint64_t>(p.sleb());
          LogPc entry{pc, static_cast<uint32_t>(log_.frames.size()), 0};
          size_t frames = p.count(2);
          entry.frame_count = static_cast<uint32_t>(frames);
          for (size_t j = 0; j < frames; ++j) {
            LogFrame f;
            f.method = method_index(p, p.uleb32("method id"));
            int64_t bci = p.sleb();
            if (bci < INT32_MIN || bci > INT32_MAX) p.fail("bytecode index " + std::to_string(bci) + " is out of range");
            f.bci = static_cast<int32_t>(bci);
            log_.frames.push_back(f);
          }
          log_.pcs.push_back(entry);
        }
        p.expect_end();
        log_.loads.push_back(c);
        break;
      }
      case RecordType::kCodeUnload: {
        LogCodeUnload u;
        u.sequence = sequence;
        u.session = session;
        u.time_ns = p.u64();
        u.address = p.u64();
        p.expect_end();
        log_.unloads.push_back(u);
        break;
      }
      case RecordType::kDynamicCode: {
        LogDynamicCode d;
        d.sequence = sequence;
        d.session = session;
        d.time_ns = p.u64();
        d.address = p.u64();
        d.size = p.uleb();
        if (d.address + d.size < d.address) p.fail("the code range runs past the end of the address space");
        d.name = p.str();
        p.expect_end();
        log_.dynamic_code.push_back(std::move(d));
        break;
      }
      case RecordType::kClassMethods: {
        uint64_t time_ns = p.u64();
        std::string class_name = p.str();
        std::string source_file = p.str();
        size_t n = p.count(3);
        uint64_t address = 0;
        for (size_t i = 0; i < n; ++i) {
          address += static_cast<uint64_t>(p.sleb());
          LogMethod m;
          m.class_name = class_name;
          m.source_file = source_file;
          m.name = string_ref(p);
          m.signature = string_ref(p);
          log_.method_addresses.push_back({sequence, session, time_ns, address,
                                           static_cast<uint32_t>(log_.methods.size())});
          log_.methods.push_back(std::move(m));
        }
        p.expect_end();
        break;
      }
      case RecordType::kMethodJvmId: {
        const uint32_t index = method_index(p, p.uleb32("method id"));
        if (index == kNoMethod) p.fail("method id 0 is reserved");
        log_.methods[index].jvm_id = p.u64();
        p.expect_end();
        break;
      }
      case RecordType::kInterpreter: {
        LogInterpreter r;
        r.sequence = sequence;
        r.session = session;
        r.time_ns = p.u64();
        r.state = p.u8();
        r.address = p.u64();
        r.size = p.uleb();
        r.method_slot_offset = p.sleb();
        r.detail = p.str();
        p.expect_end();
        log_.interpreters.push_back(std::move(r));
        break;
      }
      default:
        ++unknown_records_;  // a newer writer's record: skipped by its length
        break;
    }
  }

  std::span<const uint8_t> bytes_;
  std::string file_;
  JitLog log_;
  std::unordered_map<uint32_t, uint32_t> method_ids_;  // log id -> index, this session
  std::deque<std::string> strings_;                    // string ids - 1, this session
  size_t unknown_records_ = 0;
};

}  // namespace

JitLog parse_jit_log(std::span<const uint8_t> bytes, std::string_view name) { return Parser(bytes, name).parse(); }

JitLog read_jit_log(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ReadError(path.string() + ": is a directory, not a JIT log");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(path.string() + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ReadError(path.string() + ": read error");
  return parse_jit_log(bytes, path.string());
}

}  // namespace heapdrift::perfmap
