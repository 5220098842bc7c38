// V8's perf-map names (Node.js with --perf-basic-prof), as the tests' real node wrote them.
#include "v8_names.h"

#include <gtest/gtest.h>

namespace {

using heapdrift::perfmap::parse_v8_name;
using heapdrift::perfmap::ScriptFunction;

TEST(V8Names, AFunctionIsItsNameScriptAndLineWhicheverTierCompiledIt) {
  for (const char* tier : {"*", "~", "^", "+", ""}) {
    EXPECT_EQ(parse_v8_name(std::string("JS:") + tier + "churn /tmp/df/leak.js:10:15"),
              (ScriptFunction{"churn", "/tmp/df/leak.js", 10}))
        << tier;
  }
  EXPECT_EQ(parse_v8_name("JS:^resolve node:path:1217:10"), (ScriptFunction{"resolve", "node:path", 1217}));
  EXPECT_EQ(parse_v8_name("JS:~get size node:internal/streams/state:3:7"),
            (ScriptFunction{"get size", "node:internal/streams/state", 3}));
  EXPECT_EQ(parse_v8_name("JS:* node:internal/validators:600:3"),
            (ScriptFunction{"(anonymous)", "node:internal/validators", 600}));
  EXPECT_EQ(parse_v8_name("Eval:~ /tmp/df/leak.js:1:1"), (ScriptFunction{"(top level)", "/tmp/df/leak.js", 1}));
  EXPECT_EQ(parse_v8_name("JS:*f file:///srv/app/main.mjs:12:3"), (ScriptFunction{"f", "file:///srv/app/main.mjs", 12}));
}

TEST(V8Names, OtherCodeIsNotAScriptsFunction) {
  for (const char* name : {"Builtin:ArrayPrototypePush", "BytecodeHandler:Wide", "RegExp:[a-z]+",
                           "JS:*noLocation", "JS:*f /app.js:12", "JS:*f /app.js:x:1", "p.Foo.bar(I)V"}) {
    EXPECT_EQ(parse_v8_name(name), std::nullopt) << name;
  }
}

}  // namespace
