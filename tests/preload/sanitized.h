// Whether the tests run under a sanitizer (scripts/sanitize). Its runtime maps shadow
// memory for what a test touches and runs a thread of its own: page faults, RSS and
// thread counts then say nothing of the code under test, and tests of them skip.
#ifndef HEAPDRIFT_TESTS_PRELOAD_SANITIZED_H
#define HEAPDRIFT_TESTS_PRELOAD_SANITIZED_H

namespace heapdrift {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace heapdrift

#endif  // HEAPDRIFT_TESTS_PRELOAD_SANITIZED_H
