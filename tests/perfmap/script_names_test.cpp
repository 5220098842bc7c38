// Script runtimes' perf-map names, as real ones wrote them: Node.js 20 with
// --perf-basic-prof, CPython 3.12 with -X perf.
#include "script_names.h"

#include <gtest/gtest.h>

namespace {

using heapdrift::perfmap::parse_script_name;
using heapdrift::perfmap::ScriptFunction;

TEST(ScriptNames, V8sAreTheFunctionScriptAndLineWhicheverTierCompiledIt) {
  for (const char* tier : {"*", "~", "^", "+", ""}) {
    EXPECT_EQ(parse_script_name(std::string("JS:") + tier + "churn /tmp/df/leak.js:10:15"),
              (ScriptFunction{"churn", "/tmp/df/leak.js", 10}))
        << tier;
  }
  EXPECT_EQ(parse_script_name("JS:^resolve node:path:1217:10"), (ScriptFunction{"resolve", "node:path", 1217}));
  EXPECT_EQ(parse_script_name("JS:~get size node:internal/streams/state:3:7"),
            (ScriptFunction{"get size", "node:internal/streams/state", 3}));
  EXPECT_EQ(parse_script_name("JS:* node:internal/validators:600:3"),
            (ScriptFunction{"(anonymous)", "node:internal/validators", 600}));
  EXPECT_EQ(parse_script_name("Eval:~ /tmp/df/leak.js:1:1"), (ScriptFunction{"(top level)", "/tmp/df/leak.js", 1}));
  EXPECT_EQ(parse_script_name("JS:*f file:///srv/app/main.mjs:12:3"), (ScriptFunction{"f", "file:///srv/app/main.mjs", 12}));
}

TEST(ScriptNames, CPythonsAreItsQualifiedNameAndFile) {
  EXPECT_EQ(parse_script_name("py::remember:/tmp/df/pyleak.py"), (ScriptFunction{"remember", "/tmp/df/pyleak.py", 0}));
  EXPECT_EQ(parse_script_name("py::_ModuleLockManager.__init__:<frozen importlib._bootstrap>"),
            (ScriptFunction{"_ModuleLockManager.__init__", "<frozen importlib._bootstrap>", 0}));
  EXPECT_EQ(parse_script_name("py::outer.<locals>.inner:/srv/a:b.py"),
            (ScriptFunction{"outer.<locals>.inner", "/srv/a:b.py", 0}));
  EXPECT_EQ(parse_script_name("py::<module>:/srv/main.py"), (ScriptFunction{"(top level)", "/srv/main.py", 0}));
}

TEST(ScriptNames, TheRuntimesOwnScriptsAreTold) {
  EXPECT_TRUE(heapdrift::perfmap::in_runtime_library("node:internal/buffer"));
  EXPECT_TRUE(heapdrift::perfmap::in_runtime_library("<frozen importlib._bootstrap>"));
  EXPECT_FALSE(heapdrift::perfmap::in_runtime_library("/srv/app/node:x.js"));
  EXPECT_FALSE(heapdrift::perfmap::in_runtime_library("/srv/main.py"));
}

TEST(ScriptNames, OtherCodeIsNotAScriptsFunction) {
  for (const char* name : {"Builtin:ArrayPrototypePush", "BytecodeHandler:Wide", "RegExp:[a-z]+",
                           "JS:*noLocation", "JS:*f /app.js:12", "JS:*f /app.js:x:1", "p.Foo.bar(I)V",
                           "py::nofile", "py:::/a.py", "py::f:"}) {
    EXPECT_EQ(parse_script_name(name), std::nullopt) << name;
  }
}

}  // namespace
