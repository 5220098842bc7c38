// libsessionleak.so: the native side of tests/e2e/java/SessionLeak.java. A session is
// four blocks of 600 bytes from four functions, kept on a list that is never freed.
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kBlock = 600 };

struct Session {
  struct Session* next;
  char* name;
  char* buffer;
  void* index_entry;
  int id;
};

static struct Session* g_sessions;

__attribute__((noinline)) static struct Session* new_record(int id) {
  struct Session* s = malloc(kBlock);
  if (s) memset(s, 0, kBlock), s->id = id;
  return s;
}

__attribute__((noinline)) static char* new_name(int id) {
  char* name = malloc(kBlock);
  if (name) snprintf(name, kBlock, "session-%d", id);
  return name;
}

__attribute__((noinline)) static char* new_buffer(void) {
  char* buffer = calloc(1, kBlock);
  if (buffer) buffer[0] = '\n';  // not a tail call: this frame stays on the stack
  return buffer;
}

__attribute__((noinline)) static void* new_index_entry(struct Session* s) {
  void** entry = malloc(kBlock);
  if (entry) entry[0] = s;
  return entry;
}

JNIEXPORT void JNICALL Java_SessionLeak_open(JNIEnv* env, jclass cls, jint id) {
  (void)env, (void)cls;
  struct Session* s = new_record(id);
  if (!s) return;
  s->name = new_name(id);
  s->buffer = new_buffer();
  s->index_entry = new_index_entry(s);
  s->next = g_sessions;
  g_sessions = s;
}
