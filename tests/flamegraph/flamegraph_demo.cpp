// Writes a sample flamegraph: a JVM whose profiler agent leaks its thread maps (the
// story in SPEC.md), with every frame kind and C++ template names.
//
//   flamegraph_demo [--diff] OUT.svg
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "flamegraph_svg.h"

namespace {

using heapdrift::FlameFrame;
using heapdrift::FlameStack;
using heapdrift::FrameKind;

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kSampleRate = 512 * 1024;  // the shim's default: one sample per 512 KiB

FlameFrame native(std::string name, std::string detail = {}) { return {std::move(name), FrameKind::kNative, std::move(detail)}; }
FlameFrame jvm(std::string name, std::string detail = {}) { return {std::move(name), FrameKind::kJvm, std::move(detail)}; }
FlameFrame java(std::string name) { return {std::move(name), FrameKind::kJava, ""}; }
FlameFrame inlined(std::string name) { return {std::move(name), FrameKind::kJavaInlined, ""}; }
FlameFrame interpreted(std::string name) { return {std::move(name), FrameKind::kJavaInterpreted, ""}; }
FlameFrame generated(std::string name) { return {std::move(name), FrameKind::kJvmGenerated, "(code cache)"}; }
FlameFrame unknown(std::string name) { return {std::move(name), FrameKind::kUnknown, ""}; }

std::vector<FlameFrame> operator+(std::vector<FlameFrame> a, const std::vector<FlameFrame>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Site {
  std::vector<FlameFrame> frames;
  double mib_now, mib_baseline;
};

Site site(std::vector<FlameFrame> frames, double mib_now, double mib_baseline) {
  return {std::move(frames), mib_now, mib_baseline};
}

std::vector<Site> demo_sites() {
  const std::vector<FlameFrame> thread = {
      native("start_thread", "pthread_create.c:442 (libc.so.6)"),
      jvm("thread_native_entry(Thread*)", "os_linux.cpp:710 (libjvm.so)"),
      jvm("Thread::call_run()", "thread.cpp:358 (libjvm.so)"),
  };
  const std::vector<FlameFrame> java_thread = thread + std::vector<FlameFrame>{
      jvm("JavaThread::thread_main_inner()", "javaThread.cpp:719 (libjvm.so)"),
      jvm("JavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*)",
          "javaCalls.cpp:415 (libjvm.so)"),
      generated("StubRoutines::call_stub"),
      interpreted("java.lang.Thread.run"),
  };
  const std::string thread_names_map =
      "std::map<int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, "
      "std::less<int>, std::allocator<std::pair<int const, std::__cxx11::basic_string<char, "
      "std::char_traits<char>, std::allocator<char> > > > >::operator[](int const&)";
  const std::vector<FlameFrame> agent = thread + std::vector<FlameFrame>{
      jvm("JavaThread::run()", "javaThread.cpp:701 (libjvm.so)"),
      jvm("JvmtiExport::post_thread_start(JavaThread*)", "jvmtiExport.cpp:1512 (libjvm.so)"),
      native("Profiler::ThreadStart(_jvmtiEnv*, JNIEnv_*, _jobject*)", "profiler.cpp:88 (libjavaProfiler.so)"),
      native("Profiler::updateThreadName(_jvmtiEnv*, JNIEnv_*, _jobject*)", "profiler.cpp:131 (libjavaProfiler.so)"),
  };
  const std::vector<FlameFrame> worker = java_thread + std::vector<FlameFrame>{
      java("java.util.concurrent.ThreadPoolExecutor$Worker.run"),
      java("com.example.ingest.Worker.run"),
  };

  std::vector<Site> stacks = {
      // The leak: the agent's thread-id → name and → id maps are never cleaned up.
      site(agent + std::vector<FlameFrame>{
               native(thread_names_map, "stl_map.h:511 (libjavaProfiler.so)"),
               native("std::_Rb_tree<int, std::pair<int const, std::__cxx11::basic_string<char> >, "
                      "std::_Select1st<std::pair<int const, std::__cxx11::basic_string<char> > >, std::less<int> >"
                      "::_M_emplace_hint_unique<std::piecewise_construct_t const&, std::tuple<int const&>, "
                      "std::tuple<> >(std::_Rb_tree_const_iterator<std::pair<int const, "
                      "std::__cxx11::basic_string<char> > >, std::piecewise_construct_t const&, "
                      "std::tuple<int const&>&&, std::tuple<>&&)",
                      "stl_tree.h:2458 (libjavaProfiler.so)")},
           46, 4),
      site(agent + std::vector<FlameFrame>{
               native("std::__cxx11::basic_string<char>::_M_construct<char const*>(char const*, char const*, "
                      "std::forward_iterator_tag)",
                      "basic_string.tcc:225 (libjavaProfiler.so)")},
           14, 1.5),
      site(agent + std::vector<FlameFrame>{native("std::map<int, long, std::less<int>, std::allocator<std::pair<"
                                                  "int const, long> > >::operator[](int const&)",
                                                  "stl_map.h:511 (libjavaProfiler.so)")},
           12, 1),
      // zlib Inflaters that Java code keeps creating: a slow slope.
      site(worker + std::vector<FlameFrame>{inlined("com.example.ingest.Worker.decode"),
                                            inlined("java.util.zip.Inflater.<init>"),
                                            java("java.util.zip.Inflater.init"),
                                            native("Java_java_util_zip_Inflater_init", "Inflater.c:71 (libzip.so)"),
                                            native("inflateInit2_", "inflate.c:237 (libz.so.1)")},
           20, 17),
      // Off-heap cache: large and stable.
      site(worker + std::vector<FlameFrame>{java("com.example.cache.OffHeapCache.put"),
                                            inlined("jdk.internal.misc.Unsafe.allocateMemory"),
                                            interpreted("jdk.internal.misc.Unsafe.allocateMemory0"),
                                            jvm("Unsafe_AllocateMemory0(JNIEnv_*, _jobject*, long)",
                                                "unsafe.cpp:371 (libjvm.so)")},
           30, 30),
      // Direct buffers that are gone by now.
      site(worker + std::vector<FlameFrame>{java("com.example.ingest.Batch.flush"),
                                            inlined("java.nio.ByteBuffer.allocateDirect"),
                                            inlined("java.nio.DirectByteBuffer.<init>"),
                                            jvm("Unsafe_AllocateMemory0(JNIEnv_*, _jobject*, long)",
                                                "unsafe.cpp:371 (libjvm.so)")},
           0, 5),
      // The interpreter resolving call sites: symbols.
      site(java_thread + std::vector<FlameFrame>{generated("Interpreter"),
                                                 jvm("InterpreterRuntime::resolve_from_cache(JavaThread*, "
                                                     "Bytecodes::Code)"),
                                                 jvm("LinkResolver::resolve_invoke(CallInfo&, Handle, "
                                                     "constantPoolHandle const&, int, Bytecodes::Code, JavaThread*)"),
                                                 jvm("SymbolTable::new_symbol(char const*, int)",
                                                     "symbolTable.cpp:340 (libjvm.so)")},
           2, 1.5),
      // The JIT compiler's arenas: they shrink after warm-up.
      site(thread + std::vector<FlameFrame>{
               jvm("JavaThread::thread_main_inner()", "javaThread.cpp:719 (libjvm.so)"),
               jvm("CompileBroker::compiler_thread_loop()"),
               jvm("CompileBroker::invoke_compiler_on_method(CompileTask*)"),
               jvm("C2Compiler::compile_method(ciEnv*, ciMethod*, int, bool, DirectiveSet*)"),
               jvm("Compile::Compile(ciEnv*, ciMethod*, int, Options, DirectiveSet*)"),
               jvm("Arena::grow(unsigned long, AllocFailStrategy::AllocFailEnum)", "arena.cpp:322 (libjvm.so)")},
           6, 22),
      // GC worker.
      site(thread + std::vector<FlameFrame>{jvm("WorkerThread::run()"),
                                            jvm("G1EvacuateRegionsTask::work(unsigned int)"),
                                            jvm("G1ParScanThreadState::G1ParScanThreadState(G1CollectedHeap*, "
                                                "G1RedirtyCardsQueueSet*, unsigned int, unsigned long, unsigned long)")},
           3, 3.5),
      // VM start-up: unchanged.
      site({native("main", "main.c:123 (java)"), native("JavaMain", "java.c:413 (libjli.so)"),
            jvm("JNI_CreateJavaVM", "jni.cpp:3661 (libjvm.so)"),
            jvm("Threads::create_vm(JavaVMInitArgs*, bool*)"), jvm("init_globals()"),
            jvm("Metaspace::global_initialize()", "metaspace.cpp:775 (libjvm.so)")},
           8, 8),
      // A library without symbols: new since the baseline.
      site(thread + std::vector<FlameFrame>{unknown("[unknown] 0x7f3a2c01e4a0"), unknown("[unknown] 0x7f3a2c00b310")},
           1.5, 0),
  };
  // Many tiny sites under the agent: each under 0.1% of the total, so not drawn.
  for (int i = 0; i < 12; ++i) {
    stacks.push_back(site(agent + std::vector<FlameFrame>{native("Profiler::tinyHelper" + std::to_string(i) +
                                                                 "<std::vector<int>>()")},
                          0.05, 0.05));
  }
  return stacks;
}

heapdrift::FlameProfile demo_profile() {
  heapdrift::FlameProfile profile;
  for (Site& site : demo_sites()) {
    FlameStack& s = profile.add(std::move(site.frames));
    s.bytes = site.mib_now * kMiB;
    s.baseline_bytes = site.mib_baseline * kMiB;
    s.count = s.bytes > 0 ? std::max(1.0, s.bytes / kSampleRate) : 0;
    s.baseline_count = s.baseline_bytes > 0 ? std::max(1.0, s.baseline_bytes / kSampleRate) : 0;
  }
  return profile;
}

}  // namespace

int main(int argc, char** argv) {
  bool diff = argc == 3 && std::strcmp(argv[1], "--diff") == 0;
  if (argc != 2 + (diff ? 1 : 0)) {
    std::fprintf(stderr, "usage: %s [--diff] OUT.svg\n", argv[0]);
    return 2;
  }
  const char* path = argv[argc - 1];
  heapdrift::FlameOptions options;
  options.diff = diff;
  options.title = diff ? "Live heap growth: demo JVM with a leaking profiler agent" : "Live heap: demo JVM with a leaking profiler agent";
  options.subtitle = diff ? "snapshot 1 (00:00:05) → snapshot 12 (06:00:05), width = live bytes now"
                          : "snapshot 12 (06:00:05), width = live bytes";
  std::string svg = heapdrift::render_flamegraph_svg(demo_profile(), options);
  std::ofstream out(path, std::ios::binary);
  out << svg;
  out.close();
  if (!out) {
    std::fprintf(stderr, "flamegraph_demo: cannot write %s\n", path);
    return 1;
  }
  return 0;
}
