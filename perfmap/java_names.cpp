#include "java_names.h"

namespace heapdrift::perfmap {
namespace {

// Characters of Java identifiers as they reach a perf map (any non-ASCII byte passes:
// names are modified UTF-8).
bool is_identifier_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

// A dotted class name: identifiers separated by single dots; hidden classes add
// "/0x…" (the JDK) or ".0x…" (JVMTI) to the last one.
bool is_class_name(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.front() == '/') return false;
  char previous = 0;
  for (char c : s) {
    if (c == '.' || c == '/') {
      if (previous == '.' || previous == '/') return false;
    } else if (!is_identifier_char(c)) {
      return false;
    }
    previous = c;
  }
  return true;
}

bool is_method_name(std::string_view s) {
  if (s == "<init>" || s == "<clinit>") return true;
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_identifier_char(c)) return false;
  }
  return true;
}

// Splits "pkg.Class.method" into class and method at the last dot.
std::optional<JavaMethodName> qualified_method(std::string_view qualified, std::string signature,
                                               std::string file) {
  size_t dot = qualified.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view cls = qualified.substr(0, dot), method = qualified.substr(dot + 1);
  if (!is_class_name(cls) || !is_method_name(method)) return std::nullopt;
  return JavaMethodName{std::string(qualified), std::move(signature), std::move(file)};
}

// The JDK's external name: "RET pkg.Class.method(T1, T2)".
std::optional<JavaMethodName> parse_jdk_style(std::string_view s) {
  if (s.empty() || s.back() != ')') return std::nullopt;
  size_t open = s.find('(');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view head = s.substr(0, open), params = s.substr(open + 1, s.size() - open - 2);
  size_t space = head.rfind(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::optional<std::string> ret = java_type_descriptor(head.substr(0, space));
  if (!ret) return std::nullopt;
  std::string descriptor = "(";
  while (!params.empty()) {
    size_t comma = params.find(", ");
    std::optional<std::string> param = java_type_descriptor(params.substr(0, comma));
    if (!param || *param == "V") return std::nullopt;
    descriptor += *param;
    params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 2);
  }
  descriptor += ")" + *ret;
  return qualified_method(head.substr(space + 1), std::move(descriptor), "");
}

// perf-map-agent's "(Foo.java:12)" suffix (sourcepos): the file, and the name without it.
std::string_view strip_source_position(std::string_view s, std::string& file) {
  if (s.empty() || s.back() != ')') return s;
  size_t open = s.rfind('(');
  if (open == std::string_view::npos) return s;
  std::string_view inner = s.substr(open + 1, s.size() - open - 2);
  size_t colon = inner.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return s;
  std::string_view number = inner.substr(colon + 1);
  if (!number.empty() && number.front() == '-') number.remove_prefix(1);
  if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) return s;
  std::string_view name = inner.substr(0, colon);
  if (name.find_first_of("()") != std::string_view::npos) return s;
  file = std::string(name);
  return s.substr(0, open);
}

// "pkg.Class.method" + optional "(desc)ret", after the class part was made dotted.
std::optional<JavaMethodName> method_with_descriptor(std::string_view s, std::string file) {
  size_t open = s.find('(');
  std::string descriptor;
  if (open != std::string_view::npos) {
    if (!is_method_descriptor(s.substr(open))) return std::nullopt;
    descriptor = std::string(s.substr(open));
    s = s.substr(0, open);
  }
  return qualified_method(s, std::move(descriptor), std::move(file));
}

}  // namespace

std::optional<std::string> java_type_descriptor(std::string_view type) {
  std::string dims;
  while (type.size() > 2 && type.ends_with("[]")) {
    dims += '[';
    type.remove_suffix(2);
  }
  static constexpr std::pair<std::string_view, char> kPrimitives[] = {
      {"boolean", 'Z'}, {"byte", 'B'},  {"char", 'C'},   {"short", 'S'}, {"int", 'I'},
      {"long", 'J'},    {"float", 'F'}, {"double", 'D'}, {"void", 'V'}};
  for (auto [name, code] : kPrimitives) {
    if (type == name) {
      if (code == 'V' && !dims.empty()) return std::nullopt;
      return dims + code;
    }
  }
  if (!is_class_name(type) || type.find('/') != std::string_view::npos) return std::nullopt;
  std::string out = dims + "L";
  for (char c : type) out += c == '.' ? '/' : c;
  return out + ";";
}

bool is_method_descriptor(std::string_view d) {
  size_t i = 0;
  auto field_type = [&](bool allow_void) {
    size_t dims = 0;
    while (i < d.size() && d[i] == '[') ++i, ++dims;
    if (i >= d.size()) return false;
    char c = d[i++];
    if (c == 'V') return allow_void && dims == 0;
    if (std::string_view("BCDFIJSZ").find(c) != std::string_view::npos) return true;
    if (c != 'L') return false;
    size_t end = d.find(';', i);
    if (end == std::string_view::npos || end == i) return false;
    for (size_t k = i; k < end; ++k) {
      if (d[k] == '.' || d[k] == '[' || d[k] == '(' || d[k] == ')') return false;
    }
    i = end + 1;
    return true;
  };
  if (d.empty() || d[0] != '(') return false;
  i = 1;
  while (i < d.size() && d[i] != ')') {
    if (!field_type(false)) return false;
  }
  if (i >= d.size()) return false;
  ++i;  // ')'
  return field_type(true) && i == d.size();
}

std::string dotted_class_name(std::string_view sig) {
  if (sig.size() < 2 || sig.front() != 'L' || sig.back() != ';') return std::string(sig);
  std::string out(sig.substr(1, sig.size() - 2));
  for (char& c : out) {
    if (c == '/') c = '.';
  }
  return out;
}

std::optional<JavaMethodName> parse_java_method_name(std::string_view s) {
  if (s.find(' ') != std::string_view::npos) return parse_jdk_style(s);
  std::string file;
  s = strip_source_position(s, file);
  // perf-map-agent: "Lcom/example/Foo;.bar" (or "::bar" in old versions).
  if (s.size() > 1 && s.front() == 'L') {
    size_t semi = s.find(';');
    if (semi != std::string_view::npos) {
      std::string_view rest = s.substr(semi + 1);
      if (rest.starts_with("::")) {
        rest.remove_prefix(2);
      } else if (rest.starts_with(".")) {
        rest.remove_prefix(1);
      } else {
        return std::nullopt;
      }
      std::string qualified = dotted_class_name(s.substr(0, semi + 1)) + "." + std::string(rest);
      return method_with_descriptor(qualified, std::move(file));
    }
  }
  return method_with_descriptor(s, std::move(file));
}

std::vector<JavaMethodName> parse_perf_map_name(std::string_view name) {
  size_t in = name.find(" in ");
  if (in != std::string_view::npos) {
    auto inlined = parse_java_method_name(name.substr(0, in));
    auto outer = parse_java_method_name(name.substr(in + 4));
    if (inlined && outer) return {std::move(*inlined), std::move(*outer)};
  }
  if (auto method = parse_java_method_name(name)) return {std::move(*method)};
  return {};
}

}  // namespace heapdrift::perfmap
