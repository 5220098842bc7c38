// JavaScript function names as V8 writes them into perf maps (--perf-basic-prof: Node.js,
// Chrome, Deno), turned into a function, a script and a line:
//
//   "JS:*handleRequest /srv/app/server.js:42:17"   function handleRequest, line 42
//   "JS:~ node:internal/streams/readable:1:1"      an anonymous function
//   "Eval:~ /srv/app/server.js:1:1"                a script's top-level code
//
// The character after "JS:" is the tier the code was compiled by (`~` Ignition's bytecode,
// `^` Sparkplug, `+` Maglev, `*` TurboFan). It is dropped: one function is one frame,
// whichever tier ran it. Anything else (V8's builtins, bytecode handlers, regular
// expressions) is not a script's function.
#ifndef HEAPDRIFT_PERFMAP_V8_NAMES_H
#define HEAPDRIFT_PERFMAP_V8_NAMES_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace heapdrift::perfmap {

struct ScriptFunction {
  std::string function;  // "(anonymous)" or "(top level)" where V8 gives no name
  std::string script;    // a path or URL, or Node's "node:internal/…" for its own
  uint32_t line = 0;
  bool operator==(const ScriptFunction&) const = default;
};

std::optional<ScriptFunction> parse_v8_name(std::string_view name);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_V8_NAMES_H
