// The calling thread's minor page faults so far, for tests of what touches fresh pages.
#ifndef HEAPDRIFT_TESTS_PRELOAD_PAGE_FAULTS_H
#define HEAPDRIFT_TESTS_PRELOAD_PAGE_FAULTS_H

#include <sys/resource.h>

namespace heapdrift {

inline long thread_page_faults() {
  rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

}  // namespace heapdrift

#endif  // HEAPDRIFT_TESTS_PRELOAD_PAGE_FAULTS_H
