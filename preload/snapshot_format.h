// The on-disk snapshot format shared by the writer (preload/) and the reader
// (analyzer/). docs/FORMAT.md is the specification; this header only names its
// constants so that both sides cannot drift apart.
#ifndef HEAPDRIFT_PRELOAD_SNAPSHOT_FORMAT_H
#define HEAPDRIFT_PRELOAD_SNAPSHOT_FORMAT_H

#include <cstdint>

namespace heapdrift::format {

inline constexpr char kMagic[8] = {'H', 'E', 'A', 'P', 'D', 'R', 'F', 'T'};
inline constexpr uint32_t kVersion = 2;
// Readers accept every version from this one to kVersion (version 1 has no
// frame_methods section and no kStackInterpreterMethods flag).
inline constexpr uint32_t kOldestReadableVersion = 1;
inline constexpr uint32_t kFileHeaderSize = 16;     // magic, version, reserved
inline constexpr uint32_t kSectionHeaderSize = 16;  // tag, reserved, payload length

// A compressed file (docs/FORMAT.md, "Compression"): one zstd frame holding the file,
// then one of zstd's skippable frames (which zstd itself passes over) holding the
// XXH3-64 of every byte before it, so that damage anywhere is found, as in a plain file.
inline constexpr uint32_t kChecksumFrameMagic = 0x184D2A50;
inline constexpr uint32_t kChecksumFrameLength = 8;  // its length field: the checksum's bytes
inline constexpr uint32_t kChecksumFrameSize = 8 + kChecksumFrameLength;  // magic, length, checksum

enum class Section : uint32_t {
  kProcess = 1,
  kCounters = 2,
  kMemory = 3,
  kModules = 4,
  kMaps = 5,
  kStacks = 6,
  kSamples = 7,
  kFrameMethods = 8,  // version 2: interpreted frames' Method* slots
  kUnloadedModules = 9,  // optional: absent from files of older shims
  kEnd = 0xFFFFFFFFu,
};

enum class Trigger : uint32_t { kPeriodic = 0, kOnDemand = 1, kExit = 2 };

// Bits of a MAPS entry's `prot` field.
inline constexpr uint32_t kProtRead = 1, kProtWrite = 2, kProtExec = 4, kProtShared = 8;

// Bits of a STACKS entry's `flags` field.
inline constexpr uint16_t kStackTruncated = 1;   // the walk stopped at max depth
inline constexpr uint16_t kStackFramePointer = 2;  // some frames came from the FP walk
inline constexpr uint16_t kStackInterpreterMethods = 4;  // a frame_methods entry exists

// Stack id 0 stands for "no stack recorded" (the depot was full).
inline constexpr uint32_t kOverflowStackId = 0;

// Layout inside DIR (the recording directory).
inline constexpr const char* kRecordingFile = "recording.json";
inline constexpr const char* kControlFifo = "control";
inline constexpr const char* kSnapshotPrefix = "snap-";
inline constexpr const char* kSnapshotSuffix = ".hds";
inline constexpr const char* kJitLog = "jit.log";  // written by the JVM's recorder (perfmap/)
// The copy of a JIT's perf map (preload/perf_map_copy.h): batches of its lines, each
// after a line "<kPerfMapCopyHeader> program START_MONO_NS copied MONO_NS".
inline constexpr const char* kPerfMapCopy = "perf.map";
inline constexpr const char* kPerfMapCopyHeader = "# heapdrift perf map copy:";

}  // namespace heapdrift::format

#endif  // HEAPDRIFT_PRELOAD_SNAPSHOT_FORMAT_H
