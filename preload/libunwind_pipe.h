// libunwind's memory validation, without file descriptors.
//
// libunwind (x86_64, built with conservative checks as Debian's is) tests every
// address it reads by writing one byte from it into a pipe, which it opens once and
// keeps in a static array: read(pipe[0]) to drain it, syscall(SYS_write, pipe[1],
// addr, 1) to test, close and pipe2 to open it again when the read fails. Those
// descriptors are the program's to close: a daemon that closes every one above 2
// (closefrom) and opens its own files gets their numbers back, and libunwind then
// reads a byte from one of the program's files and writes a byte of memory into
// another, or closes one (libunwind issues #274 and #291, still open; found with ssh).
//
// heapdrift runs libunwind in every process it records. So libunwind's own imports of
// pipe2, read, close, syscall and write (its GOT entries, no other object's) are pointed at
// functions that keep a pipe made of no descriptor: pipe2 hands out two negative
// numbers, which no system call accepts; a read of one finds it empty, a close of one
// does nothing; and the write test becomes a FUTEX_CMP_REQUEUE on the word holding that
// byte, which never sleeps and fails with EFAULT exactly where the write would have.
// Every other call goes to libc's function. libunwind's mincore, asked before each
// test whether the page is mapped, is answered by the same futex test: mincore is not
// in every seccomp allow-list, and a filter may kill the process for it.
#ifndef HEAPDRIFT_PRELOAD_LIBUNWIND_PIPE_H
#define HEAPDRIFT_PRELOAD_LIBUNWIND_PIPE_H

namespace heapdrift {

// Before libunwind's first use (it opens its pipe then). False, with libunwind left as
// it is, when its imports are not the expected ones or the futex test does not tell
// readable from unreadable memory.
bool redirect_libunwind_pipe();

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_LIBUNWIND_PIPE_H
