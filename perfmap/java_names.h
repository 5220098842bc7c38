// Java method names as the tools that write perf maps spell them, turned into
// heapdrift's: function "pkg.Class.method" and the JVM descriptor "(IJ)V" apart.
//
//   JDK (DumpPerfMapAtExit, jcmd Compiler.perfmap)  "int java.lang.String.hashCode()"
//   heapdrift's agent, perf-map-agent dottedclass   "com.example.Foo.bar(IJ)V"
//   perf-map-agent                                  "Lcom/example/Foo;.bar" [+ "(IJ)V"]
//                                                   [+ "(Foo.java:12)"]
//   perf-map-agent "unfold"                         "<inlined> in <compiled>"
//
// Anything else (stubs, "Interpreter", adapters) is JVM-generated code.
#ifndef HEAPDRIFT_PERFMAP_JAVA_NAMES_H
#define HEAPDRIFT_PERFMAP_JAVA_NAMES_H

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heapdrift::perfmap {

struct JavaMethodName {
  std::string function;   // pkg.Class.method
  std::string signature;  // JVM method descriptor, "" when the name has none
  std::string file;       // source file, "" when the name has none
  bool operator==(const JavaMethodName&) const = default;
};

// The Java methods a perf-map name stands for, innermost first: one for a compiled
// method, two for perf-map-agent's "A in B" (A inlined into B), none for generated
// code and anything not understood.
std::vector<JavaMethodName> parse_perf_map_name(std::string_view name);

// One Java method name in any of the styles above, or nullopt.
std::optional<JavaMethodName> parse_java_method_name(std::string_view name);

// A Java type as the JDK prints it ("int", "java.lang.String[]") -> its descriptor
// ("I", "[Ljava/lang/String;"); nullopt if it is not a type.
std::optional<std::string> java_type_descriptor(std::string_view type);

// Whether `descriptor` is a well-formed JVM method descriptor, "(IJ[Ljava/lang/String;)V".
bool is_method_descriptor(std::string_view descriptor);

// "Lcom/example/Foo;" -> "com.example.Foo"; other strings are returned unchanged.
std::string dotted_class_name(std::string_view class_signature);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_JAVA_NAMES_H
