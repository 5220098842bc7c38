// What kind of code a frame is in: the `kind` of the JSON output and the colour of a
// flamegraph frame (SPEC.md fixes the names).
#ifndef HEAPDRIFT_ANALYZER_FRAME_KIND_H
#define HEAPDRIFT_ANALYZER_FRAME_KIND_H

#include <string_view>

namespace heapdrift {

enum class FrameKind {
  kNative,           // native code with symbols (the program, its libraries)
  kJvm,              // libjvm.so
  kJava,             // JIT-compiled Java
  kJavaInlined,      // a Java method inlined into a compiled one
  kJavaInterpreted,  // a Java method run by the interpreter
  kJvmGenerated,     // the interpreter, stubs, adapters
  kJit,              // another runtime's JIT code, named by its perf map (V8's JavaScript, …)
  kUnknown,          // no module or symbol
};

constexpr std::string_view frame_kind_name(FrameKind kind) {
  switch (kind) {
    case FrameKind::kNative: return "native";
    case FrameKind::kJvm: return "jvm";
    case FrameKind::kJava: return "java";
    case FrameKind::kJavaInlined: return "java-inlined";
    case FrameKind::kJavaInterpreted: return "java-interpreted";
    case FrameKind::kJvmGenerated: return "jvm-generated";
    case FrameKind::kJit: return "jit";
    case FrameKind::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_FRAME_KIND_H
