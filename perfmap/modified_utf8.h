// JVMTI gives names in the JVM's "modified UTF-8" (JNI spec, "Modified UTF-8
// Strings"): a character beyond U+FFFF is written as its two UTF-16 surrogates, three
// bytes each, which no UTF-8 reader accepts (JSON, pprof and XML refuse them). Kotlin's
// backquoted names (a test named with an emoji) and Java identifiers of mathematical
// letters have them. Header-only and allocation-free: the agent converts the strings
// JVMTI hands it in place, so that the JIT log, the perf map and the jitdump are UTF-8.
#ifndef HEAPDRIFT_PERFMAP_MODIFIED_UTF8_H
#define HEAPDRIFT_PERFMAP_MODIFIED_UTF8_H

#include <cstddef>
#include <cstdint>

namespace heapdrift::perfmap {

namespace modified_utf8_detail {
// The surrogate at s[i] (3 bytes: ED, A0–BF, 80–BF), or 0.
inline uint32_t surrogate(const char* s, size_t i, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s) + i;
  if (n - i < 3 || p[0] != 0xED || (p[1] & 0xE0) != 0xA0 || (p[2] & 0xC0) != 0x80) return 0;
  return 0xD000 | (uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
}
}  // namespace modified_utf8_detail

// Rewrites every surrogate pair in `s` (length `n`) as the 4-byte UTF-8 of its
// character, in place, and returns the new length (never more than `n`). The rest,
// an unpaired surrogate and the JVM's 2-byte NUL included, is left as it is.
inline size_t utf8_in_place(char* s, size_t n) {
  using modified_utf8_detail::surrogate;
  size_t out = 0;
  for (size_t i = 0; i < n;) {
    uint32_t high = surrogate(s, i, n), low = high ? surrogate(s, i + 3, n) : 0;
    if (high >= 0xD800 && high <= 0xDBFF && low >= 0xDC00 && low <= 0xDFFF) {
      uint32_t cp = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
      s[out++] = char(0xF0 | (cp >> 18));
      s[out++] = char(0x80 | ((cp >> 12) & 0x3F));
      s[out++] = char(0x80 | ((cp >> 6) & 0x3F));
      s[out++] = char(0x80 | (cp & 0x3F));
      i += 6;
    } else {
      s[out++] = s[i++];
    }
  }
  return out;
}

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_MODIFIED_UTF8_H
