// JvmChurn.churn(ops, seed): malloc/free of random sizes (16-4096 B) through a small
// ring, the native allocation churn of a JNI library.
#include <jni.h>

#include <cstdint>
#include <cstdlib>

extern "C" JNIEXPORT jlong JNICALL Java_heapdrift_bench_JvmChurn_churn(JNIEnv*, jclass, jlong ops, jlong seed) {
  void* ring[64] = {};
  uint64_t x = static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ull + 1;
  jlong sum = 0;
  for (jlong i = 0; i < ops; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    unsigned slot = x % 64;
    free(ring[slot]);
    size_t n = 16 + (x >> 16) % 4081;
    char* p = static_cast<char*>(malloc(n));
    if (!p) abort();
    p[0] = static_cast<char>(i);
    sum += p[0];
    ring[slot] = p;
  }
  for (void* p : ring) free(p);
  return sum;
}
