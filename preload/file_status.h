// stat, lstat and fstat through their system calls. glibc's functions of those names
// date from 2.33 (before, they were inline calls of __xstat), a version the shim does
// not ask for (glibc_floor.h). On x86-64 the kernel's struct stat is glibc's.
#ifndef HEAPDRIFT_PRELOAD_FILE_STATUS_H
#define HEAPDRIFT_PRELOAD_FILE_STATUS_H

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace heapdrift {

inline int file_status(const char* path, struct stat* st) {
  return static_cast<int>(syscall(SYS_newfstatat, AT_FDCWD, path, st, 0));
}
inline int link_status(const char* path, struct stat* st) {
  return static_cast<int>(syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW));
}
inline int fd_status(int fd, struct stat* st) { return static_cast<int>(syscall(SYS_fstat, fd, st)); }

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_FILE_STATUS_H
