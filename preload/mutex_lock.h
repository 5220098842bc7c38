// A scope that holds a pthread mutex. The shim uses pthread mutexes where a fork
// child must re-initialise a lock that another thread held at the fork.
#ifndef HEAPDRIFT_PRELOAD_MUTEX_LOCK_H
#define HEAPDRIFT_PRELOAD_MUTEX_LOCK_H

#include <pthread.h>

namespace heapdrift {

class MutexLock {
 public:
  explicit MutexLock(pthread_mutex_t& m) : m_(m) { pthread_mutex_lock(&m_); }
  ~MutexLock() { pthread_mutex_unlock(&m_); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  pthread_mutex_t& m_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_MUTEX_LOCK_H
