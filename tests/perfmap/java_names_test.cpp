// Java method names as the perf-map writers spell them, and class signatures as JVMTI
// gives them, turned into heapdrift's "pkg.Class.method" plus a JVM descriptor.
#include <gtest/gtest.h>

#include <string>

#include "class_name.h"
#include "java_names.h"
#include "modified_utf8.h"

namespace {

using heapdrift::perfmap::java_type_descriptor;
using heapdrift::perfmap::JavaMethodName;
using heapdrift::perfmap::parse_java_method_name;
using heapdrift::perfmap::parse_perf_map_name;

JavaMethodName one(const std::string& name) {
  auto names = parse_perf_map_name(name);
  EXPECT_EQ(names.size(), 1u) << name;
  return names.empty() ? JavaMethodName{} : names[0];
}

TEST(JavaNames, JdkExternalNames) {
  EXPECT_EQ(one("int java.lang.String.hashCode()"), (JavaMethodName{"java.lang.String.hashCode", "()I", ""}));
  EXPECT_EQ(one("void java.lang.Object.<init>()"), (JavaMethodName{"java.lang.Object.<init>", "()V", ""}));
  EXPECT_EQ(one("java.lang.Object jdk.internal.misc.Unsafe.getReferenceVolatile(java.lang.Object, long)"),
            (JavaMethodName{"jdk.internal.misc.Unsafe.getReferenceVolatile", "(Ljava/lang/Object;J)Ljava/lang/Object;",
                            ""}));
  EXPECT_EQ(one("void Hello.main(java.lang.String[])"), (JavaMethodName{"Hello.main", "([Ljava/lang/String;)V", ""}));
  EXPECT_EQ(one("int[][] p.Q$R.grid(boolean, byte, char, short, float, double, p.Q$R[])").signature,
            "(ZBCSFD[Lp/Q$R;)[[I");
  EXPECT_EQ(one("void p.Main$$Lambda$14/0x0000000800c0b000.run()").function,
            "p.Main$$Lambda$14/0x0000000800c0b000.run");
}

TEST(JavaNames, DottedNamesWithDescriptors) {
  // heapdrift's agent, perf-map-agent with dottedclass,msig.
  EXPECT_EQ(one("com.example.Foo.bar(IJ)V"), (JavaMethodName{"com.example.Foo.bar", "(IJ)V", ""}));
  EXPECT_EQ(one("com.example.Foo$Bar.<init>([Ljava/lang/String;)V").function, "com.example.Foo$Bar.<init>");
  EXPECT_EQ(one("p.Main$$Lambda$14.0x0000000800c0b000.run()V").function, "p.Main$$Lambda$14.0x0000000800c0b000.run");
  EXPECT_EQ(one("com.example.Foo.bar"), (JavaMethodName{"com.example.Foo.bar", "", ""}));
}

TEST(JavaNames, PerfMapAgentNames) {
  EXPECT_EQ(one("Lcom/example/Foo;.bar"), (JavaMethodName{"com.example.Foo.bar", "", ""}));
  EXPECT_EQ(one("Lcom/example/Foo;::bar"), (JavaMethodName{"com.example.Foo.bar", "", ""}));
  EXPECT_EQ(one("Lcom/example/Foo;.bar(IJ)V"), (JavaMethodName{"com.example.Foo.bar", "(IJ)V", ""}));
  EXPECT_EQ(one("Lcom/example/Foo;.bar(IJ)V(Foo.java:12)"),
            (JavaMethodName{"com.example.Foo.bar", "(IJ)V", "Foo.java"}));
  EXPECT_EQ(one("Lcom/example/Foo;.bar(Foo.java:-1)"), (JavaMethodName{"com.example.Foo.bar", "", "Foo.java"}));
  auto unfolded = parse_perf_map_name("Lp/Inl;.inner()V in Lp/Out;.outer(I)V");
  ASSERT_EQ(unfolded.size(), 2u);
  EXPECT_EQ(unfolded[0], (JavaMethodName{"p.Inl.inner", "()V", ""}));
  EXPECT_EQ(unfolded[1], (JavaMethodName{"p.Out.outer", "(I)V", ""}));
}

// What HotSpot names its own code: none of it is a Java method.
TEST(JavaNames, GeneratedCodeIsNotJava) {
  for (const char* name :
       {"Interpreter", "StubRoutines (1)", "I2C/C2I adapters", "I2C/C2I adapters(0x00007f0000001000)",
        "StackOverflowError throw_exception", "new_instance Runtime1 stub", "_new_array_Java", "flush_icache_stub",
        "native signature handlers", "C1 temporary CodeBuffer", "vtable chunks", "SafepointBlob",
        "jint_disjoint_arraycopy_avx3", "com.example.Foo.bar(Q)V", "com.example..bar()V", ".bar()V", "Foo.()V",
        "void .x()", "int p.Q.r(void)", "wat p.Q.r()x", ""}) {
    EXPECT_TRUE(parse_perf_map_name(name).empty()) << name;
  }
}

TEST(JavaNames, TypeDescriptors) {
  EXPECT_EQ(java_type_descriptor("int"), "I");
  EXPECT_EQ(java_type_descriptor("void"), "V");
  EXPECT_EQ(java_type_descriptor("long[][]"), "[[J");
  EXPECT_EQ(java_type_descriptor("java.lang.String[]"), "[Ljava/lang/String;");
  EXPECT_EQ(java_type_descriptor("void[]"), std::nullopt);
  EXPECT_EQ(java_type_descriptor("[]"), std::nullopt);
  EXPECT_EQ(java_type_descriptor("a b"), std::nullopt);
  EXPECT_TRUE(heapdrift::perfmap::is_method_descriptor("()V"));
  EXPECT_TRUE(heapdrift::perfmap::is_method_descriptor("([[Ljava/lang/String;IJ)[B"));
  EXPECT_FALSE(heapdrift::perfmap::is_method_descriptor("(V)V"));
  EXPECT_FALSE(heapdrift::perfmap::is_method_descriptor("(L;)V"));
  EXPECT_FALSE(heapdrift::perfmap::is_method_descriptor("(I)"));
  EXPECT_FALSE(heapdrift::perfmap::is_method_descriptor("(I)VV"));
  EXPECT_FALSE(heapdrift::perfmap::is_method_descriptor("(Ljava.lang.String;)V"));
}

TEST(JavaNames, ClassSignatures) {
  EXPECT_EQ(heapdrift::perfmap::dotted_class_name("Lcom/example/Foo$Bar;"), "com.example.Foo$Bar");
  EXPECT_EQ(heapdrift::perfmap::dotted_class_name("[I"), "[I");
  // The agent's in-place version, on JVMTI's strings.
  for (auto [in, out] : std::initializer_list<std::pair<std::string, std::string>>{
           {"Lcom/example/Foo$Bar;", "com.example.Foo$Bar"},
           {"LHello;", "Hello"},
           {"Lp/Main$$Lambda$14.0x0000000800c0b000;", "p.Main$$Lambda$14.0x0000000800c0b000"},
           {"[Ljava/lang/String;", "[Ljava/lang/String;"},
           {"L", "L"},
           {"", ""}}) {
    std::string s = in;
    s.resize(heapdrift::perfmap::dotted_class_name_in_place(s.data(), s.size()));
    EXPECT_EQ(s, out) << in;
  }
}

// A character beyond U+FFFF, which the JVM writes as two 3-byte surrogates, becomes its
// 4-byte UTF-8: U+1D465 (mathematical italic x, a letter Java takes in identifiers) is
// D835 DC65, U+1F642 (an emoji, in a Kotlin test's name) D83D DE42. Everything else stays.
TEST(ModifiedUtf8, SurrogatePairsBecomeUtf8InPlace) {
  const std::string x = "\xED\xA0\xB5\xED\xB1\xA5", x8 = "\xF0\x9D\x91\xA5";
  const std::string smile = "\xED\xA0\xBD\xED\xB9\x82", smile8 = "\xF0\x9F\x99\x82";
  for (auto [in, out] : std::initializer_list<std::pair<std::string, std::string>>{
           {"leak" + x, "leak" + x8},
           {x + x + "." + smile, x8 + x8 + "." + smile8},
           {"test with " + smile + " in it", "test with " + smile8 + " in it"},
           {"caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC"},  // 2- and 3-byte characters
           {"half\xED\xA0\xB5", "half\xED\xA0\xB5"},                    // a high surrogate alone
           {"\xED\xB1\xA5\xED\xA0\xB5", "\xED\xB1\xA5\xED\xA0\xB5"},      // low before high: no pair
           {"nul\xC0\x80", "nul\xC0\x80"},                                // the JVM's NUL stays
           {"\xED\xA0", "\xED\xA0"},                                      // cut short
           {"", ""}}) {
    std::string s = in;
    s.resize(heapdrift::perfmap::utf8_in_place(s.data(), s.size()));
    EXPECT_EQ(s, out) << in;
  }
}

}  // namespace
