#include "script_names.h"

#include <charconv>

namespace heapdrift::perfmap {
namespace {

// "SCRIPT:LINE:COLUMN" -> SCRIPT and LINE; the script may hold colons ("node:path").
bool split_location(std::string_view location, std::string_view* script, uint32_t* line) {
  size_t column_colon = location.rfind(':');
  if (column_colon == std::string_view::npos || column_colon == 0) return false;
  size_t line_colon = location.rfind(':', column_colon - 1);
  if (line_colon == std::string_view::npos) return false;
  auto is_number = [](std::string_view digits, uint32_t* value) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
    return !digits.empty() && ec == std::errc() && end == digits.data() + digits.size();
  };
  uint32_t column = 0;
  if (!is_number(location.substr(column_colon + 1), &column) ||
      !is_number(location.substr(line_colon + 1, column_colon - line_colon - 1), line)) {
    return false;
  }
  *script = location.substr(0, line_colon);
  return true;
}

}  // namespace

std::optional<ScriptFunction> parse_script_name(std::string_view name) {
  if (name.starts_with("py::")) {
    name.remove_prefix(4);
    size_t colon = name.find(':');  // a qualified name has none; a file name may
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == name.size()) return std::nullopt;
    std::string_view function = name.substr(0, colon);
    return ScriptFunction{function == "<module>" ? "(top level)" : std::string(function),
                          std::string(name.substr(colon + 1)), 0};
  }
  bool top_level = false;
  if (name.starts_with("JS:")) {
    name.remove_prefix(3);
  } else if (name.starts_with("Eval:")) {
    name.remove_prefix(5);
    top_level = true;
  } else {
    return std::nullopt;
  }
  if (!name.empty() && (name[0] == '*' || name[0] == '~' || name[0] == '^' || name[0] == '+')) name.remove_prefix(1);
  // The location is the last word: a getter's name has a blank ("get size").
  size_t blank = name.rfind(' ');
  if (blank == std::string_view::npos) return std::nullopt;
  ScriptFunction f;
  std::string_view script;
  if (!split_location(name.substr(blank + 1), &script, &f.line)) return std::nullopt;
  f.script = std::string(script);
  std::string_view function = name.substr(0, blank);
  f.function = !function.empty() ? std::string(function) : top_level ? "(top level)" : "(anonymous)";
  return f;
}

bool in_runtime_library(std::string_view script) {
  return script.starts_with("node:") || script.starts_with("<frozen ");
}

}  // namespace heapdrift::perfmap
