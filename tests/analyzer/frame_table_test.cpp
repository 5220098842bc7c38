// FrameTable: one id per distinct frame, however many times it is interned, through
// the table's growth. site_name: the one line a site is shown by.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "frame.h"

namespace heapdrift {
namespace {

Frame frame(int n) {
  Frame f;
  f.function = "f" + std::to_string(n % 1000);
  f.signature = f.function + "(int)";
  f.file = "src/file" + std::to_string(n / 1000) + ".cpp";
  f.line = n % 7;
  f.module = "/usr/lib/libexample.so";
  f.kind = FrameKind::kNative;
  return f;
}

TEST(FrameTable, OneIdPerDistinctFrameThroughGrowth) {
  FrameTable table;
  constexpr int kFrames = 20000;  // the table doubles several times
  std::vector<FrameId> ids;
  for (int n = 0; n < kFrames; ++n) ids.push_back(table.intern(frame(n)));
  ASSERT_EQ(table.size(), size_t{kFrames});
  for (int n = 0; n < kFrames; ++n) {
    EXPECT_EQ(ids[n].value, uint32_t(n));
    EXPECT_EQ(table[ids[n]], frame(n));
  }
  for (int n = kFrames - 1; n >= 0; --n) ASSERT_EQ(table.intern(frame(n)), ids[n]) << n;
  EXPECT_EQ(table.size(), size_t{kFrames});
}

TEST(FrameTable, FramesThatDifferInOneFieldAreDistinct) {
  FrameTable table;
  Frame base = frame(1);
  std::vector<Frame> variants(7, base);
  variants[1].function += "x";
  variants[2].signature += "x";
  variants[3].file += "x";
  variants[4].line += 1;
  variants[5].module += "x";
  variants[6].inlined = true;
  for (const Frame& f : variants) table.intern(f);
  Frame kind = base;
  kind.kind = FrameKind::kJvm;
  table.intern(kind);
  EXPECT_EQ(table.size(), 8u);
  EXPECT_EQ(table.intern(base).value, 0u);
}

}  // namespace
}  // namespace heapdrift

namespace heapdrift {
namespace {

FrameId add(FrameTable& table, const std::string& function, FrameKind kind, const std::string& file = "",
            uint32_t line = 0) {
  Frame f;
  f.function = function;
  f.signature = function;
  f.file = file;
  f.line = line;
  f.kind = kind;
  return table.intern(f);
}

TEST(SiteName, TheFirstFrameWhereItIs) {
  FrameTable t;
  FrameId put = add(t, "Cache::put", FrameKind::kNative, "src/cache.cpp", 42);
  EXPECT_EQ(site_name({put, add(t, "main", FrameKind::kNative)}, t), "Cache::put  cache.cpp:42");
  EXPECT_EQ(site_name({}, t), "(no stack)");
}

TEST(SiteName, NativeCodeCalledFromJavaNamesItsJavaCaller) {
  FrameTable t;
  EXPECT_EQ(site_name({add(t, "retain", FrameKind::kNative), add(t, "java.util.HashMap.put", FrameKind::kJavaInlined),
                       add(t, "com.example.Agent.tick", FrameKind::kJava)},
                      t),
            "retain  <- com.example.Agent.tick");
}

// The JVM's code reached through JNI by a native thread (no Java frame): the function
// that called JNI says where; with a Java caller, that is still the one shown.
TEST(SiteName, TheJvmsCodeReachedThroughJniNamesTheCodeThatCalledJni) {
  FrameTable t;
  FrameId block = add(t, "JNIHandleBlock::allocate_block", FrameKind::kJvm);
  FrameId jni = add(t, "jni_NewStringUTF", FrameKind::kJvm);
  FrameId loop = add(t, "poll_loop", FrameKind::kNative);
  EXPECT_EQ(site_name({block, jni, loop, add(t, "start_thread", FrameKind::kNative)}, t),
            "JNIHandleBlock::allocate_block  <- poll_loop");
  EXPECT_EQ(site_name({block, jni, loop, add(t, "app.Poller.run", FrameKind::kJava)}, t),
            "JNIHandleBlock::allocate_block  <- app.Poller.run");
  EXPECT_EQ(site_name({block, add(t, "Threads::create_vm", FrameKind::kJvm)}, t), "JNIHandleBlock::allocate_block");
}

// C code that Go called through cgo: the Go function outside the runtime and cgo's
// generated wrappers says where; with none, the first Go frame; without the trampoline,
// no Go caller at all (Go's names alone are not a caller).
TEST(SiteName, CCodeCalledFromGoNamesItsGoCaller) {
  FrameTable t;
  FrameId buffer = add(t, "keep_buffer", FrameKind::kNative, "main.go", 6);
  FrameId wrapper = add(t, "_cgo_723976d5f9a9_Cfunc_keep_buffer", FrameKind::kNative);
  FrameId trampoline = add(t, "runtime.asmcgocall", FrameKind::kNative);
  FrameId generated = add(t, "main._Cfunc_keep_buffer", FrameKind::kNative);
  FrameId cache = add(t, "main.(*Cache).Put", FrameKind::kNative);
  FrameId goexit = add(t, "runtime.goexit", FrameKind::kNative);
  EXPECT_EQ(site_name({buffer, wrapper, trampoline, generated, cache, add(t, "main.main", FrameKind::kNative),
                       add(t, "runtime.main", FrameKind::kNative), goexit},
                      t),
            "keep_buffer  main.go:6  <- main.(*Cache).Put");
  EXPECT_EQ(site_name({buffer, wrapper, add(t, "runtime.asmcgocall.abi0", FrameKind::kNative), generated, goexit}, t),
            "keep_buffer  main.go:6  <- main._Cfunc_keep_buffer");
  EXPECT_EQ(site_name({buffer, wrapper, trampoline}, t), "keep_buffer  main.go:6");
  EXPECT_EQ(site_name({buffer, cache, goexit}, t), "keep_buffer  main.go:6");
  // A program without symbols for its C code (Go 1.23, -ldflags=-s -w): the Go
  // caller alone, not the runtime's trampoline as the first named frame.
  EXPECT_EQ(site_name({add(t, "cgo_leak+0x494bb3", FrameKind::kUnknown), trampoline,
                       add(t, "runtime.cgocall", FrameKind::kNative), generated, cache, goexit},
                      t),
            "cgo_leak+0x494bb3  <- main.(*Cache).Put");
}

// A library without symbols for its internal functions (a stripped distribution
// library): the first frame is an offset, the first named frame outward says where.
TEST(SiteName, AnUnnamedFirstFrameNamesTheFirstNamedCaller) {
  FrameTable t;
  EXPECT_EQ(site_name({add(t, "libsqlite3.so.0+0xa7504", FrameKind::kUnknown),
                       add(t, "libsqlite3.so.0+0xb79b6", FrameKind::kUnknown),
                       add(t, "sqlite3Malloc", FrameKind::kNative), add(t, "sqlite3_step", FrameKind::kNative)},
                      t),
            "libsqlite3.so.0+0xa7504  <- sqlite3Malloc");
  // Called from Java: the Java caller, once.
  FrameId inflate = add(t, "app.Codec.inflate", FrameKind::kJava);
  EXPECT_EQ(site_name({add(t, "libz.so.1+0x3a01", FrameKind::kUnknown), inflate}, t),
            "libz.so.1+0x3a01  <- app.Codec.inflate");
  // A stripped program: named from libc's entry on, which says nothing.
  FrameId entry = add(t, "__libc_start_call_main", FrameKind::kNative);
  EXPECT_EQ(site_name({add(t, "git+0x28961c", FrameKind::kUnknown), add(t, "git+0x1000", FrameKind::kUnknown), entry}, t),
            "git+0x28961c");
  // Nothing named at all.
  FrameId outer = add(t, "0x7f0000002000", FrameKind::kUnknown);
  EXPECT_EQ(site_name({add(t, "0x7f0000001000", FrameKind::kUnknown), outer}, t), "0x7f0000001000");
}

}  // namespace
}  // namespace heapdrift
