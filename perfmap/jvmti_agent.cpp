// libheapdrift_jvmti.so: the JIT-symbol recorder. A JVMTI agent that writes, as the JVM
// runs, where each piece of JIT-compiled and generated code lives and when it came and
// went, so that the analyzer can name the Java frames of an allocation sampled at time
// t with the code that was at that address at t (docs/JITLOG.md):
//
//   CompiledMethodLoad    -> a code_load record with the inlining at every pc that has
//                            debug information (HotSpot's PcDescs, keyed by return pc)
//                            and a line in /tmp/perf-<pid>.map
//   CompiledMethodUnload  -> a code_unload record
//   DynamicCodeGenerated  -> a dynamic_code record (interpreter, stubs, adapters) and a
//                            perf-map line; for "Interpreter", on a JVM whose frame
//                            layout is known, the range is published to the shim and an
//                            interpreter record says so
//   ClassPrepare, and the classes loaded at VMInit
//                         -> a class_methods record: Method* -> name of each method, so
//                            that interpreted frames (whose Method* the shim keeps) can
//                            be named (only while the shim captures them)
//
// Why a separate library, not an Agent_OnLoad in libheapdrift.so: the shim must load
// into every process, JVM or not, and depend on nothing (no JDK headers, no JVMTI
// state in a malloc hook library); the agent is loaded only by JVMs, with
// -agentpath, which `heapdrift record` adds for java commands.
//
// Names, signatures, source files and line tables are resolved inside the callbacks:
// a jmethodID stops being valid once its class is unloaded. Each method is named once
// (a method record); code records refer to it by a small id.
//
// Cheap by construction: every callback takes one mutex, encodes into a fixed buffer
// and hands it to the kernel with write(2) before returning (no fsync), so a JVM that
// dies leaves a log whose complete records are all readable. (The two runs of records
// at VMInit are written when each run ends: Batch.) The agent's own memory is
// mmap'ed (MethodTable, the log's StringTable); the only mallocs are JVMTI's own
// strings and arrays, allocated and freed by the JVM while naming.
//
// With the option jitdump=1 it also writes perf's jitdump (jitdump_writer.h).
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <fcntl.h>
#include <jvmti.h>
#include <jvmticmlr.h>
#include <limits.h>
#include <new>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "class_name.h"
#include "interpreter_layout.h"
#include "jit_log_writer.h"
#include "jitdump_writer.h"
#include "method_table.h"
#include "modified_utf8.h"
#include "perf_map_writer.h"

// The agent loads into JVMs of older distributions than the one it was built on: it asks
// glibc for the oldest version of each function whose newest is later than 2.17 (dlsym
// moved into libc in 2.34; fstat is called by its system call), as the shim does
// (preload/glibc_floor.h, tests/shim/glibc_floor_test.cpp).
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");

namespace heapdrift::perfmap {
namespace {

constexpr char kTag[] = "heapdrift-jvmti";

struct Agent {
  jvmtiEnv* jvmti = nullptr;
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  JitLogWriter log;
  PerfMapWriter perf_map;
  JitdumpWriter jitdump;  // only with the option jitdump=1
  MethodTable methods;
  uint32_t next_method_id = 1;
  int log_fd = -1;
  int perf_map_fd = -1;
  bool log_error_reported = false;
  bool perf_map_error_reported = false;
  bool jitdump_error_reported = false;
  bool started = false;
  // Interpreted frames (docs/JITLOG.md, "Interpreted frames"): whether this JVM's
  // frame layout is one the agent knows, why (for the log), and the shim's entry point.
  bool interpreted_wanted = true;
  bool layout_known = false;
  char layout_detail[256] = "";
  int (*publish_interpreter)(const void*, size_t, long) = nullptr;
  uint64_t published_address = 0, published_size = 0;
  // Set once the range is published: classes are then logged with their methods.
  std::atomic<bool> name_interpreted{false};
  // Set at VMDeath: the naming of loaded classes stops (an exiting VM would otherwise
  // wait for our thread, which it sees as running native code).
  std::atomic<bool> dying{false};
  // Set (from the service thread, without the lock) when a class was unloaded: its
  // jmethodIDs may be handed to other methods, so the table is cleared before the next
  // method is looked up.
  std::atomic<bool> methods_stale{false};
};

// Never destroyed: a compiler thread may still post an event while the process exits.
alignas(Agent) unsigned char g_agent_storage[sizeof(Agent)];
Agent& g_agent = *new (g_agent_storage) Agent();

// One line on stderr, without stdio buffers (we run inside the JVM); callers see to it
// that each problem is reported once.
void report(const char* format, ...) {
  char line[PATH_MAX + 256];
  int n = std::snprintf(line, sizeof line, "%s: ", kTag);
  va_list args;
  va_start(args, format);
  n += std::vsnprintf(line + n, sizeof line - static_cast<size_t>(n), format, args);
  va_end(args);
  if (n > static_cast<int>(sizeof line) - 2) n = static_cast<int>(sizeof line) - 2;
  line[n++] = '\n';
  ssize_t ignored = write(STDERR_FILENO, line, static_cast<size_t>(n));
  (void)ignored;
}

uint64_t clock_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Set on a thread while it makes many records in a row (Batch).
__thread bool t_batching = false;

// RAII for the mutex; callbacks never throw, this only keeps the unlocks in one place.
// What the scope wrote is handed to the kernel before the unlock, unless this thread is
// in a Batch.
class Locked {
 public:
  Locked() { pthread_mutex_lock(&g_agent.lock); }
  ~Locked() {
    if (!t_batching) flush_all();
    pthread_mutex_unlock(&g_agent.lock);
  }

 private:
  static void flush_all() {
    if (!g_agent.log.flush() && !g_agent.log_error_reported) {
      g_agent.log_error_reported = true;
      report("writing the JIT log failed (%s); Java frames will be unnamed", strerror(g_agent.log.error()));
    }
    if (!g_agent.perf_map.flush() && !g_agent.perf_map_error_reported) {
      g_agent.perf_map_error_reported = true;
      report("writing the perf map failed (%s)", strerror(g_agent.perf_map.error()));
    }
    if (!g_agent.jitdump.flush() && !g_agent.jitdump_error_reported) {
      g_agent.jitdump_error_reported = true;
      report("writing the jitdump failed (%s)", strerror(g_agent.jitdump.error()));
    }
  }
};

// The records this thread makes in the scope are written at its end rather than by a
// write(2) each: for the runs of hundreds of records at start-up (the code that existed
// at VMInit, the classes already loaded). Records of other threads are written as they
// come, with ours; VMDeath writes what a batch still holds.
class Batch {
 public:
  Batch() : outer_(t_batching) { t_batching = true; }
  ~Batch() {
    t_batching = outer_;
    if (!outer_) Locked();  // flushes
  }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

 private:
  bool outer_;
};

// A JVMTI-allocated string, deallocated at the end of the scope.
class JvmtiString {
 public:
  JvmtiString() = default;
  ~JvmtiString() {
    if (p_) g_agent.jvmti->Deallocate(reinterpret_cast<unsigned char*>(p_));
  }
  JvmtiString(const JvmtiString&) = delete;
  JvmtiString& operator=(const JvmtiString&) = delete;
  char** out() { return &p_; }
  std::string_view view() const { return p_ ? std::string_view(p_) : std::string_view(); }
  // A name from the JVM, turned from its modified UTF-8 into UTF-8 in place (modified_utf8.h).
  std::string_view utf8() {
    if (!p_) return {};
    size_t n = utf8_in_place(p_, std::strlen(p_));
    p_[n] = '\0';
    return {p_, n};
  }
  // A class signature from the JVM as its dotted name, in UTF-8, made in place.
  std::string_view class_name() { return {p_, dotted_class_name_in_place(p_, utf8().size())}; }

 private:
  char* p_ = nullptr;
};

struct LineTable {
  jvmtiLineNumberEntry* entries = nullptr;
  jint count = 0;
  ~LineTable() {
    if (entries) g_agent.jvmti->Deallocate(reinterpret_cast<unsigned char*>(entries));
  }
  size_t size() const { return count > 0 ? static_cast<size_t>(count) : 0; }
  jlocation start(size_t i) const { return entries[i].start_location; }
  jint line(size_t i) const { return entries[i].line_number; }
};

// The log id of `method`, naming it in the log (and remembering it) the first time.
// 0 when the JVM cannot name it (an id gone stale). Called with the lock held.
uint32_t method_id(jmethodID method) {
  if (const MethodTable::Entry* e = g_agent.methods.find(method)) return e->id;
  jvmtiEnv* jvmti = g_agent.jvmti;
  JvmtiString name, signature, class_signature, source_file;
  jclass klass = nullptr;
  if (jvmti->GetMethodName(method, name.out(), signature.out(), nullptr) != JVMTI_ERROR_NONE ||
      jvmti->GetMethodDeclaringClass(method, &klass) != JVMTI_ERROR_NONE ||
      jvmti->GetClassSignature(klass, class_signature.out(), nullptr) != JVMTI_ERROR_NONE) {
    return jitlog::kUnknownMethod;
  }
  if (jvmti->GetSourceFileName(klass, source_file.out()) != JVMTI_ERROR_NONE) *source_file.out() = nullptr;
  LineTable lines;
  if (jvmti->GetLineNumberTable(method, &lines.count, &lines.entries) != JVMTI_ERROR_NONE) {
    lines.entries = nullptr;
    lines.count = 0;
  }
  const std::string_view class_name = class_signature.class_name(), method_name = name.utf8(),
                         descriptor = signature.utf8();

  uint32_t id = g_agent.next_method_id++;
  g_agent.log.method(id, class_name, method_name, descriptor, source_file.utf8(), lines);
  g_agent.log.method_jvm_id(id, reinterpret_cast<uintptr_t>(method));
  g_agent.methods.insert(method, id, {class_name, ".", method_name, descriptor});
  return id;
}

// compile_info as the writer wants it: the pcs of HotSpot's inlining record, methods
// as log ids (all named beforehand by name_inlined_methods).
class InlinePcs {
 public:
  explicit InlinePcs(const jvmtiCompiledMethodLoadInlineRecord* record) : record_(record) {}
  size_t count() const { return record_ && record_->numpcs > 0 ? static_cast<size_t>(record_->numpcs) : 0; }
  uint64_t pc(size_t i) const { return reinterpret_cast<uintptr_t>(record_->pcinfo[i].pc); }
  size_t frames(size_t i) const {
    jint n = record_->pcinfo[i].numstackframes;
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  uint32_t method(size_t i, size_t j) const {
    const MethodTable::Entry* e = g_agent.methods.find(record_->pcinfo[i].methods[j]);
    return e ? e->id : jitlog::kUnknownMethod;
  }
  int32_t bci(size_t i, size_t j) const { return record_->pcinfo[i].bcis[j]; }

 private:
  const jvmtiCompiledMethodLoadInlineRecord* record_;
};

const jvmtiCompiledMethodLoadInlineRecord* inline_record(const void* compile_info) {
  for (auto* h = static_cast<const jvmtiCompiledMethodLoadRecordHeader*>(compile_info); h; h = h->next) {
    if (h->kind == JVMTI_CMLR_INLINE_INFO && h->majorinfoversion == JVMTI_CMLR_MAJOR_VERSION_1) {
      return reinterpret_cast<const jvmtiCompiledMethodLoadInlineRecord*>(h);
    }
  }
  return nullptr;
}

void forget_stale_methods() {
  if (g_agent.methods_stale.exchange(false)) g_agent.methods.clear();
}

// --- Interpreted frames ---------------------------------------------------------
//
// Whether this JVM's interpreted frames can be named (interpreter_layout.h); `detail`
// says what was checked, for the log.
bool known_interpreter_layout(jvmtiEnv* jvmti, char* detail, size_t detail_size) {
  JvmtiString spec, vm_name, vm_version;
  if (jvmti->GetSystemProperty("java.vm.specification.version", spec.out()) != JVMTI_ERROR_NONE) *spec.out() = nullptr;
  if (jvmti->GetSystemProperty("java.vm.name", vm_name.out()) != JVMTI_ERROR_NONE) *vm_name.out() = nullptr;
  if (jvmti->GetSystemProperty("java.vm.version", vm_version.out()) != JVMTI_ERROR_NONE) *vm_version.out() = nullptr;
  bool ok = interpreter_layout_known(vm_name.view(), spec.view());
  std::snprintf(detail, detail_size,
                "%s (HotSpot %d to %d, x86_64): java.vm.name=%.*s java.vm.version=%.*s java.vm.specification.version=%.*s",
                ok ? "frame layout verified" : "frame layout not verified for this JVM", kOldestCheckedJdk,
                kNewestCheckedJdk, static_cast<int>(vm_name.view().size()), vm_name.view().data(),
                static_cast<int>(vm_version.view().size()), vm_version.view().data(),
                static_cast<int>(spec.view().size()), spec.view().data());
  return ok;
}

// DynamicCodeGenerated("Interpreter"): publish the range to the shim if the layout is
// known and the shim is there, and log what was done. Called with the lock held.
void interpreter_generated(uint64_t now, uint64_t address, uint64_t size) {
  if (address == g_agent.published_address && size == g_agent.published_size) return;  // reported again
  g_agent.published_address = address;
  g_agent.published_size = size;
  jitlog::InterpreterState state = jitlog::InterpreterState::kUnverified;
  if (!g_agent.interpreted_wanted) {
    state = jitlog::InterpreterState::kOff;
  } else if (g_agent.layout_known) {
    if (!g_agent.publish_interpreter) {
      state = jitlog::InterpreterState::kNoShim;
    } else if (g_agent.publish_interpreter(reinterpret_cast<const void*>(address), size, kMethodSlotOffset) == 1) {
      state = jitlog::InterpreterState::kCaptured;
    } else {
      state = jitlog::InterpreterState::kRefused;
    }
  }
  g_agent.log.interpreter(now, state, address, size, kMethodSlotOffset, g_agent.layout_detail);
  if (state == jitlog::InterpreterState::kCaptured) g_agent.name_interpreted.store(true);
}

// A class's methods as the writer wants them: Method* (read through the jmethodID,
// which HotSpot makes a pointer to the Method* slot), name and signature.
class ClassMethods {
 public:
  struct Entry {
    uint64_t address;
    char* name;
    char* signature;
  };
  ClassMethods(jvmtiEnv* jvmti, jclass klass) : jvmti_(jvmti) {
    jmethodID* ids = nullptr;
    jint n = 0;
    if (jvmti->GetClassMethods(klass, &n, &ids) != JVMTI_ERROR_NONE || n <= 0) return;
    unsigned char* memory = nullptr;
    if (jvmti->Allocate(static_cast<jlong>(sizeof(Entry)) * n, &memory) == JVMTI_ERROR_NONE) {
      entries_ = reinterpret_cast<Entry*>(memory);
      for (jint i = 0; i < n; ++i) {
        Entry& e = entries_[count_];
        if (!ids[i] || jvmti->GetMethodName(ids[i], &e.name, &e.signature, nullptr) != JVMTI_ERROR_NONE) continue;
        for (char* s : {e.name, e.signature}) s[utf8_in_place(s, std::strlen(s))] = '\0';
        // The class is being prepared or is loaded: its jmethodIDs are valid here.
        e.address = reinterpret_cast<uintptr_t>(*reinterpret_cast<void* const*>(ids[i]));
        ++count_;
      }
    }
    jvmti->Deallocate(reinterpret_cast<unsigned char*>(ids));
  }
  ~ClassMethods() {
    for (size_t i = 0; i < count_; ++i) {
      jvmti_->Deallocate(reinterpret_cast<unsigned char*>(entries_[i].name));
      jvmti_->Deallocate(reinterpret_cast<unsigned char*>(entries_[i].signature));
    }
    if (entries_) jvmti_->Deallocate(reinterpret_cast<unsigned char*>(entries_));
  }
  ClassMethods(const ClassMethods&) = delete;
  ClassMethods& operator=(const ClassMethods&) = delete;

  size_t count() const { return count_; }
  uint64_t address(size_t i) const { return entries_[i].address; }
  std::string_view name(size_t i) const { return entries_[i].name; }
  std::string_view signature(size_t i) const { return entries_[i].signature; }

 private:
  jvmtiEnv* jvmti_;
  Entry* entries_ = nullptr;
  size_t count_ = 0;
};

// Names are resolved here, while the class is alive: its jmethodIDs (and Method*s)
// die with it.
void log_class_methods(jvmtiEnv* jvmti, jclass klass) {
  uint64_t now = clock_ns(CLOCK_MONOTONIC);
  JvmtiString signature, source_file;
  if (jvmti->GetClassSignature(klass, signature.out(), nullptr) != JVMTI_ERROR_NONE) return;
  ClassMethods methods(jvmti, klass);
  if (methods.count() == 0) return;  // arrays, primitives, classes without methods
  if (jvmti->GetSourceFileName(klass, source_file.out()) != JVMTI_ERROR_NONE) *source_file.out() = nullptr;
  const std::string_view class_name = signature.class_name();
  Locked locked;
  g_agent.log.class_methods(now, class_name, source_file.utf8(), methods);
}

void JNICALL on_class_prepare(jvmtiEnv* jvmti, JNIEnv*, jthread, jclass klass) {
  if (g_agent.name_interpreted.load()) log_class_methods(jvmti, klass);
}

// The classes already loaded, named on an agent thread of their own: at VMInit the
// main thread would otherwise wait for it (some 9 000 methods for `java -version`).
void log_loaded_classes(jvmtiEnv* jvmti, JNIEnv* jni) {
  Batch batch;
  jint n = 0;
  jclass* classes = nullptr;
  if (jvmti->GetLoadedClasses(&n, &classes) != JVMTI_ERROR_NONE) return;
  for (jint i = 0; i < n; ++i) {
    if (g_agent.dying.load()) {
      if (jni) jni->DeleteLocalRef(classes[i]);
      continue;
    }
    jint status = 0;
    if (jvmti->GetClassStatus(classes[i], &status) == JVMTI_ERROR_NONE && (status & JVMTI_CLASS_STATUS_PREPARED) &&
        !(status & (JVMTI_CLASS_STATUS_ARRAY | JVMTI_CLASS_STATUS_PRIMITIVE))) {
      log_class_methods(jvmti, classes[i]);
    }
    if (jni) jni->DeleteLocalRef(classes[i]);
  }
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(classes));
}

void JNICALL loaded_classes_thread(jvmtiEnv* jvmti, JNIEnv* jni, void*) { log_loaded_classes(jvmti, jni); }

// From VMInit (or the attach) on: every class prepared from now, then those already
// there (a class prepared in between is logged twice, which the reader takes in its
// stride; a method that runs before its class is logged is still named, by the
// lookup's "earliest after" rule). The latter on an agent thread when one can be
// started, else here.
void start_naming_interpreted_methods(jvmtiEnv* jvmti, JNIEnv* jni) {
  if (!g_agent.name_interpreted.load()) return;
  jvmti->SetEventNotificationMode(JVMTI_ENABLE, JVMTI_EVENT_CLASS_PREPARE, nullptr);
  if (jni) {
    jclass thread_class = jni->FindClass("java/lang/Thread");
    jmethodID init = thread_class ? jni->GetMethodID(thread_class, "<init>", "(Ljava/lang/String;)V") : nullptr;
    jstring name = init ? jni->NewStringUTF("heapdrift-jvmti class names") : nullptr;
    jthread thread = name ? jni->NewObject(thread_class, init, name) : nullptr;
    if (thread && jvmti->RunAgentThread(thread, loaded_classes_thread, nullptr, JVMTI_THREAD_MIN_PRIORITY) ==
                      JVMTI_ERROR_NONE) {
      return;
    }
    if (jni->ExceptionCheck()) jni->ExceptionClear();
  }
  log_loaded_classes(jvmti, jni);
}

void JNICALL on_compiled_method_load(jvmtiEnv*, jmethodID method, jint code_size, const void* code_addr,
                                     jint, const jvmtiAddrLocationMap*, const void* compile_info) {
  Locked locked;
  forget_stale_methods();
  uint64_t now = clock_ns(CLOCK_MONOTONIC);
  uint32_t id = method_id(method);
  const jvmtiCompiledMethodLoadInlineRecord* record = inline_record(compile_info);
  InlinePcs pcs(record);
  for (size_t i = 0; i < pcs.count(); ++i) {
    for (size_t j = 0; j < pcs.frames(i); ++j) method_id(record->pcinfo[i].methods[j]);
  }
  auto address = reinterpret_cast<uintptr_t>(code_addr);
  uint64_t size = code_size > 0 ? static_cast<uint64_t>(code_size) : 0;
  g_agent.log.code_load(now, address, size, id, pcs);
  const MethodTable::Entry* e = g_agent.methods.find(method);
  std::string_view name = e ? e->name_view() : std::string_view("[unknown Java method]");
  g_agent.perf_map.entry(address, size, {name});
  if (g_agent.jitdump.is_open()) {
    g_agent.jitdump.code_load(now, static_cast<uint32_t>(getpid()), static_cast<uint32_t>(syscall(SYS_gettid)), address,
                              size, name);
  }
}

void JNICALL on_compiled_method_unload(jvmtiEnv*, jmethodID, const void* code_addr) {
  Locked locked;
  g_agent.log.code_unload(clock_ns(CLOCK_MONOTONIC), reinterpret_cast<uintptr_t>(code_addr));
}

void JNICALL on_dynamic_code_generated(jvmtiEnv*, const char* name, const void* address, jint length) {
  Locked locked;
  std::string_view n = name ? std::string_view(name) : std::string_view();
  uint64_t size = length > 0 ? static_cast<uint64_t>(length) : 0;
  uint64_t now = clock_ns(CLOCK_MONOTONIC);
  g_agent.log.dynamic_code(now, reinterpret_cast<uintptr_t>(address), size, n);
  g_agent.perf_map.entry(reinterpret_cast<uintptr_t>(address), size, {n});
  if (g_agent.jitdump.is_open()) {
    g_agent.jitdump.code_load(now, static_cast<uint32_t>(getpid()), static_cast<uint32_t>(syscall(SYS_gettid)),
                              reinterpret_cast<uintptr_t>(address), size, n);
  }
  if (n == "Interpreter" && size > 0) interpreter_generated(now, reinterpret_cast<uintptr_t>(address), size);
}

// HotSpot's com.sun.hotspot.events.ClassUnload (jvmtiEnv*, JNIEnv*, const char* name),
// posted from the service thread in order with the compiled-method events.
void JNICALL on_class_unload(jvmtiEnv*, ...) { g_agent.methods_stale.store(true); }

// Code that existed before our events were enabled (an attach, or what the VM made
// while starting) is reported again on request; the reader drops the duplicates.
// (Not only duplicates at VMInit: HotSpot never posts some of its buffers, the JNI fast
// field accessors among them, as they are made.)
void generate_existing_code_events(jvmtiEnv* jvmti) {
  Batch batch;  // the events come on this thread, before GenerateEvents returns
  jvmti->GenerateEvents(JVMTI_EVENT_DYNAMIC_CODE_GENERATED);
  jvmti->GenerateEvents(JVMTI_EVENT_COMPILED_METHOD_LOAD);
}

void JNICALL on_vm_death(jvmtiEnv*, JNIEnv*) {
  g_agent.dying.store(true);
  Locked locked;
  g_agent.jitdump.close(clock_ns(CLOCK_MONOTONIC));
}

void JNICALL on_vm_init(jvmtiEnv* jvmti, JNIEnv* jni, jthread) {
  generate_existing_code_events(jvmti);
  start_naming_interpreted_methods(jvmti, jni);
}

void deallocate(jvmtiEnv* jvmti, void* p) {
  if (p) jvmti->Deallocate(static_cast<unsigned char*>(p));
}

void enable_class_unload_event(jvmtiEnv* jvmti) {
  jint count = 0;
  jvmtiExtensionEventInfo* events = nullptr;
  if (jvmti->GetExtensionEvents(&count, &events) != JVMTI_ERROR_NONE) return;
  for (jint i = 0; i < count; ++i) {
    const jvmtiExtensionEventInfo& e = events[i];
    if (std::strcmp(e.id, "com.sun.hotspot.events.ClassUnload") == 0 && e.param_count == 2 &&
        e.params[0].base_type == JVMTI_TYPE_JNIENV && e.params[1].base_type == JVMTI_TYPE_CCHAR) {
      jvmti->SetExtensionEventCallback(e.extension_event_index, reinterpret_cast<jvmtiExtensionEvent>(on_class_unload));
    }
    for (jint p = 0; p < e.param_count; ++p) deallocate(jvmti, e.params[p].name);
    deallocate(jvmti, e.params);
    deallocate(jvmti, e.id);
    deallocate(jvmti, e.short_description);
  }
  deallocate(jvmti, events);
}

// mkdir -p for the directory part of `path` (modified temporarily).
bool make_parent_directories(char* path) {
  for (char* p = path + 1; *p; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    bool ok = mkdir(path, 0755) == 0 || errno == EEXIST;
    *p = '/';
    if (!ok) return false;
  }
  return true;
}

void open_log(pid_t pid) {
  const char* output = std::getenv("HEAPDRIFT_OUTPUT");
  char path[PATH_MAX];
  int n = output && *output ? std::snprintf(path, sizeof path, "%s/%d/jit.log", output, pid)
                            : std::snprintf(path, sizeof path, "heapdrift.%d/%d/jit.log", pid, pid);
  if (n < 0 || n >= static_cast<int>(sizeof path)) {
    report("the JIT log path is too long; Java frames will be unnamed");
    return;
  }
  int fd = -1;
  if (!make_parent_directories(path) ||
      (fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
    report("cannot create %s (%s); Java frames will be unnamed", path, strerror(errno));
    return;
  }
  // A log left by an earlier image of this pid (an exec, or a recycled pid writing
  // into the same directory) is appended to, after a new session record.
  bool fresh = false;
  if (!prepare_log_for_append(fd, &fresh)) {
    report("%s exists and is not a heapdrift JIT log; not touching it", path);
    close(fd);
    return;
  }
  g_agent.log_fd = fd;
  g_agent.log.reset(fd);
  if (fresh) g_agent.log.file_header();
}

// jit-<pid>.dump beside the log, for `perf inject --jit` (docs/JITLOG.md).
void open_jitdump(pid_t pid) {
  const char* output = std::getenv("HEAPDRIFT_OUTPUT");
  char path[PATH_MAX];
  int n = output && *output ? std::snprintf(path, sizeof path, "%s/%d/jit-%d.dump", output, pid, pid)
                            : std::snprintf(path, sizeof path, "heapdrift.%d/%d/jit-%d.dump", pid, pid, pid);
  if (n < 0 || n >= static_cast<int>(sizeof path) || !make_parent_directories(path)) {
    report("cannot create the jitdump file; none is written");
    return;
  }
  if (int error = g_agent.jitdump.open(path, static_cast<uint32_t>(pid), clock_ns(CLOCK_MONOTONIC))) {
    report("cannot create %s (%s); no jitdump", path, strerror(error));
  }
}

void open_perf_map(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/tmp/perf-%d.map", pid);
  // O_APPEND: the JDK itself may rewrite this file (-XX:+DumpPerfMapAtExit, jcmd
  // Compiler.perfmap); our later lines then go after its, never into a hole.
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    report("cannot create %s (%s); no perf map", path, strerror(errno));
    return;
  }
  g_agent.perf_map_fd = fd;
  g_agent.perf_map.reset(fd);
}

void write_session(jvmtiEnv* jvmti) {
  JvmtiString vm_name, vm_version;
  if (jvmti->GetSystemProperty("java.vm.name", vm_name.out()) != JVMTI_ERROR_NONE) *vm_name.out() = nullptr;
  if (jvmti->GetSystemProperty("java.vm.version", vm_version.out()) != JVMTI_ERROR_NONE) *vm_version.out() = nullptr;
  g_agent.log.session(clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_REALTIME), static_cast<uint32_t>(getpid()),
                      vm_name.view(), vm_version.view());
}

// Options: a comma-separated list; "perfmap=0" turns the perf map off,
// "interpreted=0" the naming of interpreted frames (no range published to the shim,
// no class_methods records); "jitdump=1" writes perf's jitdump beside the log.
struct Options {
  bool perf_map = true;
  bool interpreted = true;
  bool jitdump = false;
};

Options parse_options(const char* options) {
  Options out;
  if (!options) return out;
  for (const char* p = options; *p;) {
    const char* end = std::strchr(p, ',');
    if (!end) end = p + std::strlen(p);
    std::string_view option(p, static_cast<size_t>(end - p));
    p = *end ? end + 1 : end;
    if (option == "perfmap=0" || option == "perfmap=1") {
      out.perf_map = option.back() == '1';
    } else if (option == "interpreted=0" || option == "interpreted=1") {
      out.interpreted = option.back() == '1';
    } else if (option == "jitdump=0" || option == "jitdump=1") {
      out.jitdump = option.back() == '1';
    } else if (!option.empty()) {
      report("unknown option '%.*s' ignored", static_cast<int>(option.size()), option.data());
    }
  }
  return out;
}

// Common to load and attach. Returns JNI_OK even when something is missing: a JVM is
// never kept from starting because its symbols could not be recorded.
jint start(JavaVM* vm, const char* options, bool live) {
  Locked locked;
  if (g_agent.started) return JNI_OK;
  jvmtiEnv* jvmti = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&jvmti), JVMTI_VERSION_1_2) != JNI_OK || !jvmti) {
    report("no JVMTI environment; Java frames will be unnamed");
    return JNI_OK;
  }
  g_agent.jvmti = jvmti;
  g_agent.started = true;
  pid_t pid = getpid();
  Options parsed = parse_options(options);
  open_log(pid);
  if (parsed.perf_map) open_perf_map(pid);
  if (parsed.jitdump) open_jitdump(pid);
  write_session(jvmti);
  g_agent.interpreted_wanted = parsed.interpreted;
  g_agent.layout_known = known_interpreter_layout(jvmti, g_agent.layout_detail, sizeof g_agent.layout_detail);
  // The shim, if this process runs under it (LD_PRELOAD puts it in the global scope).
  g_agent.publish_interpreter = reinterpret_cast<int (*)(const void*, size_t, long)>(
      dlsym(RTLD_DEFAULT, "heapdrift_publish_interpreter_v1"));

  jvmtiCapabilities potential{}, wanted{};
  jvmti->GetPotentialCapabilities(&potential);
  wanted.can_generate_compiled_method_load_events = potential.can_generate_compiled_method_load_events;
  wanted.can_get_line_numbers = potential.can_get_line_numbers;
  wanted.can_get_source_file_name = potential.can_get_source_file_name;
  if (jvmti->AddCapabilities(&wanted) != JVMTI_ERROR_NONE || !wanted.can_generate_compiled_method_load_events) {
    report("compiled-method events unavailable; only generated code will be recorded");
  }

  jvmtiEventCallbacks callbacks{};
  callbacks.VMInit = on_vm_init;
  callbacks.CompiledMethodLoad = on_compiled_method_load;
  callbacks.CompiledMethodUnload = on_compiled_method_unload;
  callbacks.DynamicCodeGenerated = on_dynamic_code_generated;
  callbacks.ClassPrepare = on_class_prepare;
  callbacks.VMDeath = on_vm_death;
  jvmti->SetEventCallbacks(&callbacks, sizeof callbacks);
  for (jvmtiEvent event : {JVMTI_EVENT_COMPILED_METHOD_LOAD, JVMTI_EVENT_COMPILED_METHOD_UNLOAD,
                           JVMTI_EVENT_DYNAMIC_CODE_GENERATED, JVMTI_EVENT_VM_DEATH}) {
    jvmti->SetEventNotificationMode(JVMTI_ENABLE, event, nullptr);
  }
  enable_class_unload_event(jvmti);
  if (!live) jvmti->SetEventNotificationMode(JVMTI_ENABLE, JVMTI_EVENT_VM_INIT, nullptr);
  return JNI_OK;
}

}  // namespace
}  // namespace heapdrift::perfmap

using heapdrift::perfmap::g_agent;

extern "C" JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM* vm, char* options, void*) {
  return heapdrift::perfmap::start(vm, options, false);
}

// Loaded into a running JVM (jcmd PID JVMTI.agent_load): no VMInit will come, so the
// code already there is asked for at once (outside our lock: the events it generates
// take it).
extern "C" JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM* vm, char* options, void*) {
  jint result = heapdrift::perfmap::start(vm, options, true);
  if (g_agent.jvmti) {
    heapdrift::perfmap::generate_existing_code_events(g_agent.jvmti);
    JNIEnv* jni = nullptr;
    if (vm->GetEnv(reinterpret_cast<void**>(&jni), JNI_VERSION_1_2) != JNI_OK) jni = nullptr;
    heapdrift::perfmap::start_naming_interpreted_methods(g_agent.jvmti, jni);
  }
  return result;
}

extern "C" JNIEXPORT void JNICALL Agent_OnUnload(JavaVM*) {
  pthread_mutex_lock(&g_agent.lock);
  g_agent.log.flush();
  g_agent.perf_map.flush();
  g_agent.log.reset(-1);
  g_agent.perf_map.reset(-1);
  if (g_agent.log_fd >= 0) close(g_agent.log_fd);
  if (g_agent.perf_map_fd >= 0) close(g_agent.perf_map_fd);
  g_agent.log_fd = g_agent.perf_map_fd = -1;
  pthread_mutex_unlock(&g_agent.lock);
}
