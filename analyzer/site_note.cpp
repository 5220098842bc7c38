#include "site_note.h"

#include <algorithm>

namespace heapdrift {

std::optional<std::string> site_note(const std::vector<FrameId>& frames, const FrameTable& table) {
  // The frames that tell (the pool's, the JVM's thread start, its JNI entry, its monitors) are among
  // the innermost; one further out did not make this block.
  const size_t near = std::min<size_t>(frames.size(), 8);
  auto has = [&](auto&& match) {
    return std::any_of(frames.begin(), frames.begin() + long(near), [&](FrameId id) { return match(table[id].function); });
  };
  if (has([](const std::string& f) { return f == "JVM_StartThread"; })) {
    return "the JVM allocates these blocks for each thread started here (Thread.start) and frees them when "
           "the thread ends: their growth is threads that are started and never end, each with a stack "
           "mapped outside malloc besides. `jcmd PID Thread.print` lists the live threads.";
  }
  if (has([](const std::string& f) { return f.rfind("JNIHandleBlock::allocate", 0) == 0; })) {
    return "JNI local references: the JVM frees them when the native method that made them returns to Java, "
           "or on DeleteLocalRef and PopLocalFrame. A native thread attached to the JVM that never returns "
           "(or a native method that loops) keeps every one it makes, unless it deletes each, or makes them "
           "between PushLocalFrame and PopLocalFrame.";
  }
  if (has([](const std::string& f) { return f.rfind("ObjectSynchronizer::inflate", 0) == 0; })) {
    return "the JVM's monitors: an object's lock gets one when threads contend for it or wait on it (Object.wait, "
           "Thread.join). The JVM frees idle ones in batches (its monitor deflation thread, at the latest every "
           "60 s), so a recording of a minute or two can see them grow; growth over many minutes is monitors "
           "kept in use, by ever more threads blocked or waiting on objects. `jcmd PID Thread.print` shows "
           "what each thread waits on.";
  }
  if (has([](const std::string& f) { return f == "nmethod::new_nmethod"; })) {
    return "the JIT's compiled methods: the JVM mallocs part of each method it compiles, beside its code in "
           "the code cache (its oop maps; in JDK 25 more of its data), and frees it with the method's code. Its "
           "growth is the code cache's: in `heapdrift leaks`, \"Compiled code that keeps growing\" names the "
           "methods whose versions stay, or the class loaded again and again; `jcmd PID Compiler.codecache` "
           "shows the cache.";
  }
  if (!has([](const std::string& f) { return f.rfind("OopStorage::", 0) == 0; })) return std::nullopt;
  if (has([](const std::string& f) {
        return f == "jni_NewGlobalRef" || f == "jni_NewWeakGlobalRef" || f.rfind("JNIHandles::make_", 0) == 0;
      })) {
    return "JNI global references are kept in blocks of 64, allocated when the blocks the JVM has are full: "
           "this stack is the NewGlobalRef that found them full, not necessarily the code that keeps the "
           "references (any caller of NewGlobalRef that never deletes them). `jcmd PID Thread.print` ends "
           "with the number of JNI global refs: if it keeps growing, references are never passed to "
           "DeleteGlobalRef.";
  }
  return "the JVM keeps handles to Java objects in blocks of 64 (OopStorage) that it allocates when the blocks "
         "it has are full: this stack is the request that found them full, not necessarily the code that "
         "keeps the handles.";
}

}  // namespace heapdrift
