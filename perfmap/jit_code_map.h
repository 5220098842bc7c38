// Names the Java frames of JIT code at the time an allocation was sampled.
//
// A JVM reuses its code cache: when a method is recompiled, deoptimized or its class
// unloaded, the old code is freed and new code, often of another method, is put at the
// same addresses. A perf map written at exit names only what is there at exit. This map
// keeps every piece of code ever recorded with the time it was loaded and unloaded, and
// answers "what was at address A at time t?".
//
// The rule: among the code whose range holds A, take the earliest-loaded one not yet
// unloaded at t (unload time > t, or never unloaded). A range is only reused after the
// code there was unloaded, so this is the code that was there at t even though HotSpot
// posts a load record after the code has started running (the service thread posts it
// later): samples taken in new code before its load record still find it, because
// the code before it in that range is already unloaded by then.
//
// The residual error: unload records are posted late too. Between the moment code is
// freed and the moment its unload record is written (milliseconds, the service
// thread's lag), new code placed in the same range is attributed to the old code.
// Perf-map entries carry no times at all; see add_perf_map.
//
// Inlining: HotSpot keys the debug information of a call site by the call's return
// address, so the inlined chain is the record at exactly the return address (the
// native "address - 1" rule would pick the preceding pc's record). The code range,
// though, is looked up with return address - 1, the last byte of the call: a call that
// ends its code blob returns to the first byte of the next one.
#ifndef HEAPDRIFT_PERFMAP_JIT_CODE_MAP_H
#define HEAPDRIFT_PERFMAP_JIT_CODE_MAP_H

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <unordered_map>
#include <string>
#include <vector>

#include "jit_log_reader.h"
#include "perf_map_reader.h"
#include "read_error.h"

namespace heapdrift::perfmap {

struct JavaFrame {
  enum Kind {
    kCompiled,   // a JIT-compiled Java method                    (SPEC kind "java")
    kInlined,    // a Java method inlined into the next frame out  ("java-inlined")
    kGenerated,  // code the JVM generated: interpreter, stubs     ("jvm-generated")
    kInterpreted,  // a Java method the interpreter was running     ("java-interpreted")
  };
  std::string function;   // "pkg.Class.method"; for generated code its name ("Interpreter")
  std::string signature;  // JVM descriptor "(IJ)V"; "" when unknown or generated code
  std::string file;       // source file name "Foo.java"; "" when unknown
  uint32_t line = 0;      // 0 when unknown
  Kind kind = kCompiled;
  bool operator==(const JavaFrame&) const = default;
};

// One Java method's compiled versions alive at given times (JitCodeMap::compiled_versions).
struct CompiledVersions {
  std::string function;   // "pkg.Class.method"
  std::string signature;  // "(J)J"
  // At each of the times asked for: the versions alive, their code's bytes, and the
  // Java methods they belong to, by jmethodID: one per copy of the class (a class loaded
  // again and again under one name), 0 when the log does not say (docs/JITLOG.md).
  std::vector<uint32_t> versions;
  std::vector<uint64_t> bytes;
  std::vector<uint32_t> methods;
};

class JitCodeMap {
 public:
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  JitCodeMap() = default;

  // The code of one process's jit.log. Throws ReadError for an unreadable or corrupt
  // file; a truncated tail is accepted, with a warning.
  static JitCodeMap from_log(const std::filesystem::path& path);
  void add_log(const JitLog& log);

  // A perf map, whose entries are taken as loaded at `written_ns` (the file's time on
  // the samples' clock, CLOCK_MONOTONIC) and never unloaded: the fallback wherever the
  // log has nothing. Within what has been added, a later entry that overlaps an
  // earlier one (not the same entry repeated) ends the earlier one at `written_ns`:
  // the later entry wins for the time after it was written. Add maps oldest first.
  // A JVM's map names Java methods; its other entries are generated code, which may
  // nest (a stub inside its blob): the innermost wins. Another runtime's entries are
  // all "generated" (the caller names them) and do not nest.
  // Throws ReadError if the file cannot be read; malformed lines become warnings.
  enum class Runtime { kJvm, kOther };
  void add_perf_map(const std::filesystem::path& path, uint64_t written_ns);
  void add_perf_map(const PerfMap& map, uint64_t written_ns, Runtime runtime = Runtime::kJvm);
  // Several, oldest first, as if added one by one, but indexed once: a day of a
  // recording's copy is some 1,400 batches (each add_perf_map is linear in all the code
  // added before it).
  struct DatedPerfMap {
    const PerfMap* map;
    uint64_t written_ns;
  };
  void add_perf_maps(std::span<const DatedPerfMap> maps, Runtime runtime);

  // The Java frames for a return address sampled at time t: innermost first (inlined
  // methods, then the compiled one), or one frame for generated code; empty when no
  // recorded code was there at t.
  std::vector<JavaFrame> lookup(uint64_t return_address, uint64_t t_ns) const;

  // The Java method of an interpreted frame whose Method* slot held `method_address`,
  // for a sample taken at t: among the class_methods records of that address in the
  // session that was running at t, the latest one written at or before t (a Method*
  // freed with its class may be reused by a later class), else the earliest one after
  // t (a class enumerated at VMInit ran before its record). Empty when none.
  std::optional<JavaFrame> interpreted(uint64_t method_address, uint64_t t_ns) const;

  // How many compiled versions of each Java method the JIT log had alive at each of
  // `times_ns` (ascending), for the methods with code alive at one of them: code of
  // the log's last session (the process's current image) loaded at or before t, and
  // neither unloaded nor replaced by other code loaded at its address by then. The
  // same code reported twice (the agent's replay at VMInit) is one version. Methods are
  // told apart by class, name and signature. HotSpot keeps a method's replaced code
  // until its sweeper or class unloading frees it: a method compiled again and again
  // while the old versions stay is the code cache's own leak (analyzer/code_growth.h).
  std::vector<CompiledVersions> compiled_versions(std::span<const uint64_t> times_ns) const;
  // Whether a JIT log was added: perf maps alone give no compiled versions.
  bool has_log() const { return has_log_; }

  // Problems met while reading (truncated log, malformed perf-map lines, unload
  // records that matched nothing), each once, each starting with its file's name.
  const std::vector<std::string>& warnings() const { return warnings_; }

  size_t code_count() const { return blobs_.size(); }

 private:
  struct Method {
    std::string function, signature, file;
    std::vector<LineNumber> lines;  // sorted by start_bci
    uint64_t jvm_id = 0;            // its jmethodID, when the JIT log says
  };
  struct Frame {
    uint32_t method;  // into methods_
    int32_t bci;
  };
  struct Pc {
    uint64_t pc;
    uint32_t first_frame, frame_count;  // into frames_
  };
  struct Blob {
    uint64_t start, end;
    uint64_t load_ns, unload_ns;
    // JIT-log code: when other code was loaded at its start while it was live (its
    // range reused before its unload record came). It is no version of its method from
    // then on (compiled_versions); lookup keeps its own rule.
    uint64_t replaced_ns;
    uint64_t order;  // order of addition: the tie-breaker
    bool generated;
    bool nests;  // generated code of a JVM: a stub may lie inside a bigger blob
    bool from_perf_map;
    uint32_t first_frame, frame_count;  // the frames when no pc record matches
    uint32_t first_pc, pc_count;        // sorted by pc
  };

  Blob new_blob(uint64_t start, uint64_t end, uint64_t load_ns, bool generated, bool from_perf_map) const;
  uint32_t add_method(Method method);
  uint32_t unknown_method();
  uint32_t line_of(const Method& method, int32_t bci) const;
  bool better(const Blob& candidate, const Blob& best) const;
  void rebuild_index();

  // One class_methods entry: the method at a Method* address from time_ns on, within
  // its session's time [session_begin, session_end).
  struct MethodAddress {
    uint64_t time_ns, session_begin, session_end;
    uint32_t method;  // into methods_
  };

  std::vector<Method> methods_;
  std::unordered_map<uint64_t, std::vector<MethodAddress>> method_addresses_;  // in file order
  std::vector<Frame> frames_;
  std::vector<Pc> pcs_;
  std::vector<Blob> blobs_;
  std::vector<std::string> warnings_;
  uint32_t unknown_method_ = UINT32_MAX;
  uint64_t last_session_ns_ = 0;  // when the JIT log's last session began
  bool has_log_ = false;

  // The address space cut at every blob start and end: segment i is
  // [bounds_[i], bounds_[i + 1]), and the blobs covering it are
  // covers_[cover_begin_[i] .. cover_begin_[i + 1]).
  std::vector<uint64_t> bounds_;
  std::vector<uint32_t> cover_begin_;
  std::vector<uint32_t> covers_;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_JIT_CODE_MAP_H
