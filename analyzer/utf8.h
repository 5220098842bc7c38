// Text for outputs that must be valid UTF-8 (pprof's strings, the flamegraph's XML)
// from names that need not be: a path is any bytes, and a symbol or a runtime's name
// may be in another encoding. Each byte that does not start a valid sequence becomes
// U+FFFD, as nlohmann::json's dump(…, error_handler_t::replace) does for JSON.
#ifndef HEAPDRIFT_ANALYZER_UTF8_H
#define HEAPDRIFT_ANALYZER_UTF8_H

#include <cstdint>
#include <string>
#include <string_view>

namespace heapdrift {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// `in` with every invalid sequence, and every code point `keep` refuses, replaced.
template <class Keep>
std::string valid_utf8(std::string_view in, Keep keep) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t len = 0;
    uint32_t cp = 0, min = 0;
    if (c < 0x80) {
      len = 1, cp = c;
    } else if ((c >> 5) == 0x6) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c >> 4) == 0xE) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c >> 3) == 0x1E) {
      len = 4, cp = c & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= in.size();
    for (size_t k = 1; ok && k < len; ++k) {
      auto cc = static_cast<unsigned char>(in[i + k]);
      ok = (cc >> 6) == 0x2;
      cp = (cp << 6) | (cc & 0x3F);
    }
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && keep(cp);
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out.append(kReplacementCharacter);
      i += 1;
    }
  }
  return out;
}

inline std::string valid_utf8(std::string_view in) {
  return valid_utf8(in, [](uint32_t) { return true; });
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_UTF8_H
