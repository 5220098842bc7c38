// libthreadmapagent.so: the leak heapdrift was made for, in a real JVM. A profiler
// agent, loaded with -agentpath, keeps per-thread bookkeeping from JVMTI's ThreadStart
// and ThreadEnd callbacks, which run on the JVM's own threads: a thread's name and Java
// id by its native id, and a sampling context by its Java id. Every 64 ThreadEnds it
// prunes them against the live threads, with the condition inverted, as its native twin
// samples/thread_registry_leak.cpp does: the live threads' entries go, the ended
// threads' stay, 1 KiB and more each.
//   leaking site: profiler::ThreadMaps::remember
// Decoys, which must not be reported:
//   profiler::ThreadMaps::scratch_for - a 16 KiB buffer per thread, freed at its ThreadEnd
//   profiler::load_symbol_table       - 8 MiB allocated at VMInit and kept: large, but flat
#include <jvmti.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace profiler {

constexpr size_t kContextBytes = 1024;
constexpr size_t kScratchBytes = 16 * 1024;
constexpr size_t kSymbolTableBytes = 8 << 20;
constexpr int kEndsBetweenPrunes = 64;

class ThreadMaps {
 public:
  __attribute__((noinline, noclone)) void remember(int tid, const char* name, jlong java_id) {
    auto context = std::make_unique<char[]>(kContextBytes);  // zeroed: resident, as a used one is
    std::strncpy(context.get(), name, kContextBytes - 1);
    std::lock_guard lock(mu_);
    names_[tid] = name;
    java_ids_[tid] = java_id;
    contexts_[java_id] = std::move(context);
    live_.insert(tid);
  }

  __attribute__((noinline, noclone)) void forget(int tid) {
    std::lock_guard lock(mu_);
    live_.erase(tid);
    if (++ends_ % kEndsBetweenPrunes != 0) return;
    // BUG (the leak): `!= live_.end()` means "still alive", so only live threads'
    // entries are erased. The fix is `== live_.end()`.
    for (auto it = java_ids_.begin(); it != java_ids_.end();) {
      if (live_.find(it->first) != live_.end()) {
        contexts_.erase(it->second);
        names_.erase(it->first);
        it = java_ids_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Decoy: freed by release_scratch at the thread's end.
  __attribute__((noinline, noclone)) static char* scratch_for(const char* name) {
    char* scratch = static_cast<char*>(std::calloc(1, kScratchBytes));
    if (scratch) std::strncpy(scratch, name, kScratchBytes - 1);
    return scratch;
  }

 private:
  std::mutex mu_;
  std::map<int, std::string> names_;
  std::map<int, jlong> java_ids_;
  std::map<jlong, std::unique_ptr<char[]>> contexts_;
  std::set<int> live_;
  long ends_ = 0;
};

__attribute__((noinline, noclone)) char* load_symbol_table() {
  char* table = static_cast<char*>(std::malloc(kSymbolTableBytes));
  if (table) std::memset(table, 0x5a, kSymbolTableBytes);
  return table;
}

}  // namespace profiler

namespace {

using profiler::ThreadMaps;

ThreadMaps* g_maps;  // never destroyed: callbacks may run while the JVM exits
char* g_symbol_table;

jlong java_id_of(JNIEnv* jni, jthread thread) {
  jclass c = jni->GetObjectClass(thread);
  jmethodID get_id = c ? jni->GetMethodID(c, "getId", "()J") : nullptr;
  jlong id = get_id ? jni->CallLongMethod(thread, get_id) : -1;
  if (jni->ExceptionCheck()) jni->ExceptionClear(), id = -1;
  return id;
}

void JNICALL on_vm_init(jvmtiEnv*, JNIEnv*, jthread) { g_symbol_table = profiler::load_symbol_table(); }

void JNICALL on_thread_start(jvmtiEnv* jvmti, JNIEnv* jni, jthread thread) {
  jvmtiThreadInfo info{};
  if (jvmti->GetThreadInfo(thread, &info) != JVMTI_ERROR_NONE) return;
  const char* name = info.name ? info.name : "";
  g_maps->remember(static_cast<int>(syscall(SYS_gettid)), name, java_id_of(jni, thread));
  jvmti->SetThreadLocalStorage(thread, ThreadMaps::scratch_for(name));
  jvmti->Deallocate(reinterpret_cast<unsigned char*>(info.name));
}

void JNICALL on_thread_end(jvmtiEnv* jvmti, JNIEnv*, jthread thread) {
  void* scratch = nullptr;
  if (jvmti->GetThreadLocalStorage(thread, &scratch) == JVMTI_ERROR_NONE) std::free(scratch);
  g_maps->forget(static_cast<int>(syscall(SYS_gettid)));
}

}  // namespace

extern "C" JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM* vm, char*, void*) {
  jvmtiEnv* jvmti = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&jvmti), JVMTI_VERSION_1_2) != JNI_OK) return JNI_ERR;
  g_maps = new ThreadMaps;
  jvmtiEventCallbacks callbacks{};
  callbacks.VMInit = on_vm_init;
  callbacks.ThreadStart = on_thread_start;
  callbacks.ThreadEnd = on_thread_end;
  if (jvmti->SetEventCallbacks(&callbacks, sizeof(callbacks)) != JVMTI_ERROR_NONE) return JNI_ERR;
  for (jvmtiEvent e : {JVMTI_EVENT_VM_INIT, JVMTI_EVENT_THREAD_START, JVMTI_EVENT_THREAD_END}) {
    if (jvmti->SetEventNotificationMode(JVMTI_ENABLE, e, nullptr) != JVMTI_ERROR_NONE) return JNI_ERR;
  }
  return JNI_OK;
}
