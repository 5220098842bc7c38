// libreregister.so: the native side of tests/e2e/java/Reregister.java. Two
// implementations of Reregister.work, registered in turn.
#include <jni.h>

static jlong JNICALL work_a(JNIEnv* env, jclass cls, jlong x) { return (void)env, (void)cls, x * 3; }
static jlong JNICALL work_b(JNIEnv* env, jclass cls, jlong x) { return (void)env, (void)cls, 3 * x; }

JNIEXPORT jlong JNICALL Java_Reregister_work(JNIEnv* env, jclass cls, jlong x) { return work_a(env, cls, x); }

JNIEXPORT void JNICALL Java_Reregister_register(JNIEnv* env, jclass cls, jint which) {
  JNINativeMethod method = {"work", "(J)J", which ? (void*)work_b : (void*)work_a};
  (*env)->RegisterNatives(env, cls, &method, 1);
}
