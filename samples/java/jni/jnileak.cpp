// libjnileak.so: the native side of heapdrift.samples.jni.NativeCodec (the JniLeak
// sample). A frame codec with a retransmission cache, a block checksum and a preset
// dictionary.
//
// The leak: codec::FrameCache::retain keeps a copy of every encoded frame in a
// std::vector until FrameCache::acknowledge drops it; the Java side never calls
// NativeCodec.acknowledge, so the vector is never cleared (~3 MiB/s at the sample's
// 750 frames/s of 4 KiB). The vector's own storage grows with it (24 bytes a frame,
// reallocated as it doubles): a leak too, far smaller.
//   leaking allocation site: codec::FrameCache::retain
//
// Decoys, which a leak detector must NOT report:
//   1. codec::BlockHasher::digest - 48 lanes of 256 KiB (12 MiB) allocated, filled and
//                                   freed per call: churn.
//   2. codec::Dictionary::load    - one 32 MiB dictionary, resident, held until
//                                   codec::Dictionary::release at the end of the run.
//
// Built with -O2 -g and frame pointers (see CMakeLists.txt); the allocation sites are
// noinline/noclone so each keeps a stable, named frame. Hidden visibility except for
// the JNI entry points (declared JNIEXPORT by the generated header).

#include "heapdrift_samples_jni_NativeCodec.h"

#include <jni.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace codec {

constexpr std::size_t KiB = 1024;

// Keeps the compiler from proving a buffer unused and deleting the allocation.
static inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

// ---------------------------------------------------------------------------
// Decoy 2: the preset dictionary, one large buffer held for the whole run.

class Dictionary {
 public:
  __attribute__((noinline, noclone)) static Dictionary* load(std::size_t size) {
    std::unique_ptr<std::uint8_t[]> bytes(new (std::nothrow) std::uint8_t[size]);
    if (bytes == nullptr) return nullptr;
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i < size; ++i) {  // resident, and not all zeros
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      bytes[i] = static_cast<std::uint8_t>(x);
    }
    return new (std::nothrow) Dictionary(std::move(bytes), size);
  }

  __attribute__((noinline, noclone)) static void release(Dictionary* dictionary) {
    delete dictionary;
  }

  std::uint8_t keyByte(std::size_t position) const { return bytes_[position % size_]; }

 private:
  Dictionary(std::unique_ptr<std::uint8_t[]> bytes, std::size_t size)
      : bytes_(std::move(bytes)), size_(size) {}

  std::unique_ptr<std::uint8_t[]> bytes_;
  std::size_t size_;
};

static Dictionary* g_dictionary = nullptr;  // set and cleared by the Java main thread

// ---------------------------------------------------------------------------
// The encoder: a 16-byte header (sequence, length) and the payload whitened with the
// dictionary. Writes into a per-thread buffer that is reused (allocated once).

static void encode(std::uint64_t sequence, const std::uint8_t* in, std::size_t size,
                   std::vector<std::uint8_t>& out) {
  constexpr std::size_t kHeaderBytes = 16;
  out.resize(kHeaderBytes + size);
  const std::uint64_t length = size;
  std::memcpy(out.data(), &sequence, 8);
  std::memcpy(out.data() + 8, &length, 8);
  const std::size_t base = sequence * 4096;
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t key = g_dictionary ? g_dictionary->keyByte(base + i) : 0x5a;
    out[kHeaderBytes + i] = in[i] ^ key;
  }
}

// ---------------------------------------------------------------------------
// The leak: the retransmission cache.

class FrameCache {
 public:
  // Keeps a copy of an encoded frame until the peer acknowledges it.
  __attribute__((noinline, noclone)) void retain(std::uint64_t sequence,
                                                 const std::uint8_t* data, std::size_t size) {
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[size]);
    std::memcpy(copy.get(), data, size);
    std::lock_guard lock(mu_);
    frames_.push_back(Frame{sequence, size, std::move(copy)});
    bytes_ += size;
  }

  // Drops the frames the peer has acknowledged (sequence <= up_to). The fix for the
  // leak is to call it; nothing does.
  __attribute__((noinline, noclone)) void acknowledge(std::uint64_t up_to) {
    std::lock_guard lock(mu_);
    auto first_kept = std::find_if(frames_.begin(), frames_.end(),
                                   [up_to](const Frame& f) { return f.sequence > up_to; });
    for (auto it = frames_.begin(); it != first_kept; ++it) bytes_ -= it->size;
    frames_.erase(frames_.begin(), first_kept);
  }

  std::size_t frames() const {
    std::lock_guard lock(mu_);
    return frames_.size();
  }

  std::size_t bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
  }

 private:
  struct Frame {
    std::uint64_t sequence;
    std::size_t size;
    std::unique_ptr<std::uint8_t[]> data;
  };

  mutable std::mutex mu_;
  std::vector<Frame> frames_;
  std::size_t bytes_ = 0;
};

// The library's cache lives as long as the process: never deleted.
static FrameCache& frameCache() {
  static FrameCache* cache = new FrameCache;
  return *cache;
}

// ---------------------------------------------------------------------------
// Decoy 1: churn. A checksum computed in a large scratch area, freed at once.

class BlockHasher {
 public:
  static constexpr std::size_t kLanes = 48;
  static constexpr std::size_t kLaneBytes = 256 * KiB;  // 12 MiB in all

  __attribute__((noinline, noclone)) static std::uint64_t digest(const std::uint8_t* data,
                                                                 std::size_t size) {
    std::array<std::unique_ptr<std::uint8_t[]>, kLanes> lanes;
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      lanes[lane].reset(new std::uint8_t[kLaneBytes]);
      const std::uint8_t seed = size ? data[(lane * 131) % size] : 0;
      std::memset(lanes[lane].get(), seed + static_cast<int>(lane), kLaneBytes);  // resident
      escape(lanes[lane].get());
    }
    for (std::size_t i = 0; i < size; ++i) {
      h = (h ^ data[i] ^ lanes[i % kLanes][i % kLaneBytes]) * 0x100000001b3ull;
    }
    return h;
  }  // all lanes freed here
};

}  // namespace codec

// ---------------------------------------------------------------------------
// JNI entry points. C++ exceptions must not cross into the JVM: an allocation failure
// becomes an OutOfMemoryError.

static void throwJava(JNIEnv* env, const char* class_name, const char* message) {
  if (jclass cls = env->FindClass(class_name)) env->ThrowNew(cls, message);
}

extern "C" {

JNIEXPORT jint JNICALL Java_heapdrift_samples_jni_NativeCodec_encode0(JNIEnv* env, jclass,
                                                                      jbyteArray frame,
                                                                      jint length,
                                                                      jlong sequence) {
  if (frame == nullptr || length < 0 || length > env->GetArrayLength(frame)) {
    throwJava(env, "java/lang/IllegalArgumentException", "bad frame or length");
    return -1;
  }
  try {
    thread_local std::vector<std::uint8_t> input;
    thread_local std::vector<std::uint8_t> output;
    input.resize(static_cast<std::size_t>(length));
    env->GetByteArrayRegion(frame, 0, length, reinterpret_cast<jbyte*>(input.data()));
    if (env->ExceptionCheck()) return -1;
    codec::encode(static_cast<std::uint64_t>(sequence), input.data(), input.size(), output);
    codec::frameCache().retain(static_cast<std::uint64_t>(sequence), output.data(),
                               output.size());
    return static_cast<jint>(output.size());
  } catch (const std::bad_alloc&) {
    throwJava(env, "java/lang/OutOfMemoryError", "libjnileak: encode");
    return -1;
  }
}

JNIEXPORT void JNICALL Java_heapdrift_samples_jni_NativeCodec_acknowledge0(JNIEnv*, jclass,
                                                                           jlong sequence) {
  codec::frameCache().acknowledge(static_cast<std::uint64_t>(sequence));
}

JNIEXPORT jlong JNICALL Java_heapdrift_samples_jni_NativeCodec_checksum0(JNIEnv* env, jclass,
                                                                        jbyteArray block,
                                                                        jint length) {
  if (block == nullptr || length < 0 || length > env->GetArrayLength(block)) {
    throwJava(env, "java/lang/IllegalArgumentException", "bad block or length");
    return 0;
  }
  try {
    thread_local std::vector<std::uint8_t> bytes;  // reused: allocated once
    bytes.resize(static_cast<std::size_t>(length));
    env->GetByteArrayRegion(block, 0, length, reinterpret_cast<jbyte*>(bytes.data()));
    if (env->ExceptionCheck()) return 0;
    return static_cast<jlong>(codec::BlockHasher::digest(bytes.data(), bytes.size()));
  } catch (const std::bad_alloc&) {
    throwJava(env, "java/lang/OutOfMemoryError", "libjnileak: checksum");
    return 0;
  }
}

JNIEXPORT jboolean JNICALL Java_heapdrift_samples_jni_NativeCodec_loadDictionary0(JNIEnv*, jclass,
                                                                                  jint bytes) {
  if (bytes <= 0) return JNI_FALSE;
  codec::Dictionary::release(codec::g_dictionary);
  codec::g_dictionary = codec::Dictionary::load(static_cast<std::size_t>(bytes));
  return codec::g_dictionary != nullptr ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_heapdrift_samples_jni_NativeCodec_releaseDictionary0(JNIEnv*, jclass) {
  codec::Dictionary::release(codec::g_dictionary);
  codec::g_dictionary = nullptr;
}

JNIEXPORT jlong JNICALL Java_heapdrift_samples_jni_NativeCodec_retainedFrames0(JNIEnv*, jclass) {
  return static_cast<jlong>(codec::frameCache().frames());
}

JNIEXPORT jlong JNICALL Java_heapdrift_samples_jni_NativeCodec_retainedBytes0(JNIEnv*, jclass) {
  return static_cast<jlong>(codec::frameCache().bytes());
}

}  // extern "C"
