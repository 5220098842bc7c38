// libglobalrefleak.so: the native side of tests/e2e/java/GlobalRefLeak.java.
#include <jni.h>

// Keeps a global reference to the listener for ever: the leak.
JNIEXPORT void JNICALL Java_GlobalRefLeak_register(JNIEnv* env, jclass cls, jobject listener) {
  (void)cls;
  (*env)->NewGlobalRef(env, listener);
}

// Holds the event while it is handled, then lets it go.
JNIEXPORT void JNICALL Java_GlobalRefLeak_dispatch(JNIEnv* env, jclass cls, jobject event) {
  (void)cls;
  jobject held = (*env)->NewGlobalRef(env, event);
  (*env)->DeleteGlobalRef(env, held);
}
