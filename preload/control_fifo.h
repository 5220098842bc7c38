// The process's control FIFO (DIR/<pid>/control), as the writer thread holds it.
//
// The program owns the file descriptors: daemons close every one above 2 and reuse the
// numbers (closefrom), shells dup2 onto low ones. A descriptor of ours in the program's
// table would be closed under us, and its number could then name one of the
// program's files, which a read would drain. So the writer thread takes a descriptor
// table of its own (unshare(CLONE_FILES); with CLONE_FS, a root of its own too, kept
// when the program chroots), closes its copies of the program's descriptors (a copy
// would keep a pipe or socket open that the program closed), and opens the FIFO there.
// Where unshare is refused (a seccomp profile), the descriptor lives in the shared
// table, and is checked to be still the FIFO (device and inode) before every read, and
// opened again by path when it is not; a request made just then may find no reader, or
// be answered by a snapshot no one asked for.
#ifndef HEAPDRIFT_PRELOAD_CONTROL_FIFO_H
#define HEAPDRIFT_PRELOAD_CONTROL_FIFO_H

#include <sys/types.h>

#include <atomic>
#include <string>

namespace heapdrift {

class ControlFifo {
 public:
  // Creates the FIFO at `path`, or keeps the one there (an exec keeps the pid). False
  // when there is none: then wait() only waits.
  bool create(const std::string& path);

  // On the writer thread, first: a table of its own if the kernel grants one, then the
  // FIFO, if there is one, opened for reading. On failure writes one line into `error`.
  bool open_on_writer_thread(std::string* error);

  // Waits up to `timeout_ms` (-1: no limit) for a request and consumes it: true when
  // one came (or may have, with a descriptor the program took), false on timeout.
  // Without a FIFO (it could not be opened again) it only waits.
  bool wait(int timeout_ms);

  // From another thread: writes a request into the FIFO, which wakes wait(); through
  // the reader's descriptor (/proc/self/task/TID/fd/N), else by its path. False
  // without a FIFO, or with no reader.
  bool poke() const;

  // On the writer thread: whether it has a root and working directory of its own
  // (CLONE_FS), so that it may change directory without moving the program's.
  bool own_root_and_cwd() const { return own_fs_; }

  // Gives up the descriptor: on the writer thread as it ends, and in a forked child,
  // where it is the parent's. Closed only if it is in the program's table (no table of
  // our own) and still the FIFO.
  void release();

 private:
  bool open_fifo();
  bool still_ours() const;

  std::string path_;
  int fd_ = -1;
  std::atomic<dev_t> dev_{0};  // atomic: poke() reads them from other threads
  std::atomic<ino_t> ino_{0};
  bool private_table_ = false;
  bool own_fs_ = false;
  // The reading thread and its descriptor, for poke() from other threads; -1: none.
  std::atomic<int> reader_tid_{0}, reader_fd_{-1};
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_CONTROL_FIFO_H
