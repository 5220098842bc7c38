// Function names as script runtimes write them into their perf maps, turned into a
// function, a script and (where given) a line.
//
// V8 (--perf-basic-prof: Node.js, Chrome, Deno):
//   "JS:*handleRequest /srv/app/server.js:42:17"   function handleRequest, line 42
//   "JS:~ node:internal/streams/readable:1:1"      an anonymous function
//   "Eval:~ /srv/app/server.js:1:1"                a script's top-level code
// The character after "JS:" is the tier the code was compiled by (`~` Ignition's
// bytecode, `^` Sparkplug, `+` Maglev, `*` TurboFan). It is dropped: one function is one
// frame, whichever tier ran it.
//
// CPython 3.12 (-X perf), one trampoline per code object, without a line:
//   "py::Session.open:/srv/app/sessions.py"         function Session.open
//   "py::<module>:/srv/app/main.py"                 a module's top-level code
//
// Anything else (V8's builtins and bytecode handlers, regular expressions) is not a
// script's function.
#ifndef HEAPDRIFT_PERFMAP_SCRIPT_NAMES_H
#define HEAPDRIFT_PERFMAP_SCRIPT_NAMES_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace heapdrift::perfmap {

struct ScriptFunction {
  std::string function;  // "(anonymous)" or "(top level)" where V8 gives no name
  std::string script;    // a path or URL, or the runtime's own ("node:internal/…", "<frozen os>")
  uint32_t line = 0;     // 0 when not given
  bool operator==(const ScriptFunction&) const = default;
};

std::optional<ScriptFunction> parse_script_name(std::string_view name);

// Whether a script is the runtime's own (Node's "node:" modules, CPython's frozen ones):
// a site is not named after its functions while the program's own are on the stack.
bool in_runtime_library(std::string_view script);

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_SCRIPT_NAMES_H
