// Options that take a count (`--top N`, `--depth N`): a whole number of at least
// `least`, else one error line that says so. CLI11's own check quotes the range of a
// double ("not in range 0.000000 to 1797…"), and a negative number for an unsigned
// option gets only "Could not convert".
#ifndef HEAPDRIFT_ANALYZER_CLI_WHOLE_NUMBER_H
#define HEAPDRIFT_ANALYZER_CLI_WHOLE_NUMBER_H

#include <charconv>
#include <cstddef>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>

namespace heapdrift::cli {

inline CLI::Validator whole_number(size_t least) {
  const std::string expected = "a whole number" + (least ? " of at least " + std::to_string(least) : "");
  return CLI::Validator(
      [least, expected](std::string& text) -> std::string {
        size_t n = 0;
        const char* end = text.data() + text.size();
        auto [at, error] = std::from_chars(text.data(), end, n);
        if (error == std::errc() && at == end && n >= least) return "";
        return "expected " + expected + ", not '" + text + "'";
      },
      "");
}

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_WHOLE_NUMBER_H
