// The glibc symbol versions the shim asks for: the oldest of each function's, so that
// it loads into programs of older distributions than the one it was built on (a
// container image's, say). Built on glibc 2.36, the shim would otherwise ask for the
// versions 2.34 gave the functions it moved from libpthread and libdl into libc, and
// the loader refuses to start any program where one is missing (exit 127). These
// are the same functions under their first names; on an older glibc they are found in
// libpthread and libdl, which the shim therefore names as its dependencies.
// tests/shim/glibc_floor_test.cpp checks the result; stat, fstat and lstat, which have
// no older version of those names, are called through their system calls
// (file_status.h). Included into every file of the shim by the build.
#ifndef HEAPDRIFT_PRELOAD_GLIBC_FLOOR_H
#define HEAPDRIFT_PRELOAD_GLIBC_FLOOR_H

#define HEAPDRIFT_OLDEST(function, version) __asm__(".symver " #function "," #function "@" #version)

HEAPDRIFT_OLDEST(dladdr, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(dladdr1, GLIBC_2.3.3);
HEAPDRIFT_OLDEST(dlopen, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(dlsym, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(log, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(pthread_condattr_setclock, GLIBC_2.3.3);
HEAPDRIFT_OLDEST(pthread_create, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(pthread_join, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(pthread_key_create, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(pthread_once, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(pthread_setspecific, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(pthread_sigmask, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(sem_destroy, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(sem_init, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(sem_post, GLIBC_2.2.5);
HEAPDRIFT_OLDEST(sem_wait, GLIBC_2.2.5);

#undef HEAPDRIFT_OLDEST

#endif  // HEAPDRIFT_PRELOAD_GLIBC_FLOOR_H
