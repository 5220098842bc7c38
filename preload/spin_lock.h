// A test-and-test-and-set lock for the shim's short critical sections. pthread
// mutexes would do, but this one is a plain word: it can be reset in a fork child
// and needs no initialisation before the constructor runs.
#ifndef HEAPDRIFT_PRELOAD_SPIN_LOCK_H
#define HEAPDRIFT_PRELOAD_SPIN_LOCK_H

#include <atomic>
#include <sched.h>

namespace heapdrift {

class SpinLock {
 public:
  void lock() {
    for (int spins = 0; locked_.exchange(true, std::memory_order_acquire); ++spins) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins > 64) sched_yield();
        else __builtin_ia32_pause();
      }
    }
  }
  void unlock() { locked_.store(false, std::memory_order_release); }
  // Only for a fork child, where the thread that held the lock no longer exists.
  void reset() { locked_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> locked_{false};
};

class SpinLockGuard {
 public:
  explicit SpinLockGuard(SpinLock& lock) : lock_(lock) { lock_.lock(); }
  ~SpinLockGuard() { lock_.unlock(); }
  SpinLockGuard(const SpinLockGuard&) = delete;
  SpinLockGuard& operator=(const SpinLockGuard&) = delete;

 private:
  SpinLock& lock_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_SPIN_LOCK_H
