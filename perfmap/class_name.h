// JVM class signatures to the Java names heapdrift shows: "Lcom/example/Foo$Bar;" ->
// "com.example.Foo$Bar". Header-only and allocation-free: the agent converts the
// strings JVMTI hands it in place.
#ifndef HEAPDRIFT_PERFMAP_CLASS_NAME_H
#define HEAPDRIFT_PERFMAP_CLASS_NAME_H

#include <cstddef>
#include <string_view>

namespace heapdrift::perfmap {

// Rewrites the class signature in `sig` (length `n`) into its dotted name, in place,
// and returns the new length. Nested classes keep their '$'; hidden classes, whose
// signatures JVMTI gives as "Lp/Foo$$Lambda$14.0x0000000800c0b000;", keep their
// suffix. Array and primitive signatures have no class name and are left as they are.
inline size_t dotted_class_name_in_place(char* sig, size_t n) {
  if (n < 2 || sig[0] != 'L' || sig[n - 1] != ';') return n;
  size_t out = 0;
  for (size_t i = 1; i + 1 < n; ++i) sig[out++] = sig[i] == '/' ? '.' : sig[i];
  return out;
}

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_CLASS_NAME_H
