// The constants of the JIT log (docs/JITLOG.md), shared by the agent that writes it and
// the reader. A log is a 16-byte file header followed by records, each a type byte, a
// u32 payload length and the payload, so that a reader can tell a complete record from
// the torn tail a crash leaves, and skip record types it does not know.
#ifndef HEAPDRIFT_PERFMAP_JIT_LOG_FORMAT_H
#define HEAPDRIFT_PERFMAP_JIT_LOG_FORMAT_H

#include <cstddef>
#include <cstdint>

namespace heapdrift::perfmap::jitlog {

inline constexpr char kMagic[8] = {'H', 'D', 'J', 'I', 'T', 'L', 'O', 'G'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;   // magic, u32 version, u32 reserved
inline constexpr size_t kRecordHeaderSize = 5;  // u8 type, u32 payload length

enum class RecordType : uint8_t {
  kSession = 1,      // a JVM started writing (first record; again after an exec)
  kMethod = 2,       // a Java method, named once; later records refer to its id
  kCodeLoad = 3,     // CompiledMethodLoad: a code range, its method, inlining per pc
  kCodeUnload = 4,   // CompiledMethodUnload
  kDynamicCode = 5,  // DynamicCodeGenerated: interpreter, stubs, adapters
  kClassMethods = 6,  // a prepared class's methods: Method* -> name, for interpreted frames
  kInterpreter = 7,   // whether interpreted frames' Method* slots are captured, and why
  kMethodJvmId = 8,   // a method record's jmethodID: each copy of a class loaded again has its own
};

// States of an interpreter record.
enum class InterpreterState : uint8_t {
  kUnverified = 0,  // this JVM's frame layout is not one the agent knows: not published
  kCaptured = 1,    // published to the shim: interpreted frames carry their Method*
  kNoShim = 2,      // layout known, but libheapdrift.so is not in the process
  kRefused = 3,     // the shim did not accept the range (full, or another layout)
  kOff = 4,         // turned off by the agent's option interpreted=0
};

// Method id 0 stands for "unknown" (the JVM could not name the method).
inline constexpr uint32_t kUnknownMethod = 0;

// LEB128, as DWARF has it: 7 bits a byte, low bits first, the top bit set on every
// byte but the last. A u64 takes at most 10 bytes.
inline constexpr size_t kMaxLeb128Size = 10;

inline size_t put_uleb128(uint8_t* out, uint64_t v) {
  size_t n = 0;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    out[n++] = byte | (v != 0 ? 0x80 : 0);
  } while (v != 0);
  return n;
}

inline size_t put_sleb128(uint8_t* out, int64_t v) {
  size_t n = 0;
  for (;;) {
    uint8_t byte = v & 0x7f;
    v >>= 7;  // arithmetic shift: the sign is kept
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    out[n++] = byte | (done ? 0 : 0x80);
    if (done) return n;
  }
}

inline size_t uleb128_size(uint64_t v) {
  uint8_t scratch[kMaxLeb128Size];
  return put_uleb128(scratch, v);
}

inline size_t sleb128_size(int64_t v) {
  uint8_t scratch[kMaxLeb128Size];
  return put_sleb128(scratch, v);
}

}  // namespace heapdrift::perfmap::jitlog

#endif  // HEAPDRIFT_PERFMAP_JIT_LOG_FORMAT_H
