// The background thread that writes snapshots: every `interval`, whenever a byte
// arrives on the process's control FIFO (`heapdrift snapshot PID`; no signal is used,
// since HotSpot owns most of them), and at exit, asked by the exiting thread.
//
// It blocks every signal and runs with the re-entrancy guard set, so what it and
// libc allocate for it is never recorded. One mutex serialises snapshots; it is held
// across fork (prepare/parent) so that a child never inherits a half-written series.
#ifndef HEAPDRIFT_PRELOAD_WRITER_THREAD_H
#define HEAPDRIFT_PRELOAD_WRITER_THREAD_H

#include <pthread.h>
#include <semaphore.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "control_fifo.h"
#include "perf_map_copy.h"
#include "recorder.h"
#include "snapshot_format.h"
#include "snapshot_series.h"
#include "snapshot_writer.h"

namespace heapdrift {

class WriterThread {
 public:
  // `root_dir` is the absolute recording directory; this process writes into
  // root_dir/<pid>, numbering its snapshots after any already there (an exec keeps
  // the pid). Without `with_thread`, only the exit snapshot is written, by the exiting
  // thread (for a program whose malloc is its own, see lifecycle.cpp).
  WriterThread(Recorder& recorder, std::string root_dir, bool with_thread = true);

  // Creates the process directory and FIFO, starts the thread (with_thread only:
  // else the directory alone). On failure writes one line into `error` and returns
  // false. With `wait_until_open`, returns once the thread has the FIFO open, so that
  // a request made at once finds a reader; a forked child does not wait: most exec or
  // exit at once, and would pay it on every fork.
  bool start(const ProcessIdentity& identity, std::string* error, bool wait_until_open = true);

  // Writes a snapshot now, on the calling thread; none after finish().
  void snapshot(format::Trigger trigger);
  // The exit snapshot, the last one this process writes. The exiting thread asks the
  // writer thread for it (through the FIFO) and waits while the writer makes progress:
  // exit() called from a signal handler may have interrupted the allocator holding a
  // lock that the snapshot needs (malloc_info takes every arena's), which on the
  // exiting thread itself would hang the process. A writer that stalls for
  // kExitStallMs is given up: false. Without a running writer thread to ask, the
  // snapshot is written on the calling thread.
  static constexpr uint64_t kExitStallMs = 2000;
  bool finish();

  // Snapshots that could not be written (a full disk, the directory removed, or a
  // daemon that left root for a user who cannot write where root made its directory),
  // with the error of the first. The exit reports them: no other thread can, since
  // the writer's stderr is nowhere (control_fifo.h).
  struct Failures {
    uint32_t count = 0, attempts = 0;
    int first_error = 0;
  };
  Failures failures();

  // For a namespace change that the kernel refuses a process with more than one
  // thread: pause() ends the thread and waits for it (false if it was not running, or
  // could not be woken: without a FIFO); resume() starts it again, in the namespaces
  // the process is in by then. A request that comes while paused finds no reader.
  bool pause();
  void resume();

  // Makes `uid` the owner of the process's directory and of what is in it, so that the
  // thread can go on writing there once the process has become that user.
  void give_to(uid_t uid);

  void prepare_fork();
  void parent_after_fork();
  // In the child: a new series in root_dir/<child pid> and a new thread.
  bool child_after_fork(const ProcessIdentity& identity, std::string* error);

  const std::string& process_dir() const { return process_dir_; }
  uint32_t pid() const { return identity_.pid; }  // the process it writes for

 private:
  enum class State { kStopped, kStarting, kRunning, kStopping };
  enum class ExitRequest { kNone, kAsked, kTaken, kDone };

  bool launch(std::string* error, bool wait_until_open);
  static void* thread_main(void* self);
  void run();
  void set_state(State state);
  // On the thread, once its FIFO is open and at each request: false (and the thread
  // ends) if pause() asked it to stop, else it is running.
  bool carry_on();
  // finish()'s two halves on the exiting thread, and the writer's.
  bool ask_for_exit_snapshot();
  void init_exit_done();
  bool wait_for_exit_snapshot();
  bool take_exit_request();
  void write_exit_snapshot();
  // The exit snapshot, on the calling thread; none after it.
  void write_last_snapshot();

  Recorder& recorder_;
  std::string root_dir_;
  bool with_thread_;
  std::string process_dir_;
  ProcessIdentity identity_;
  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
  SnapshotSeries series_;
  PerfMapCopy perf_map_;  // under mutex_
  MemoryStatsReader memory_stats_;  // under mutex_
  uint32_t sequence_ = 0;
  bool finished_ = false;
  Failures failures_;
  ControlFifo control_;
  pthread_t thread_{};
  pthread_mutex_t state_mutex_ = PTHREAD_MUTEX_INITIALIZER;
  State state_ = State::kStopped;
  ExitRequest exit_ = ExitRequest::kNone;           // under state_mutex_
  pthread_cond_t exit_done_;  // with state_mutex_; init_exit_done()
  std::atomic<uint64_t> progress_{0};               // bumped as snapshots are written
  bool fifo_optional_ = false;  // set by resume() for the thread it starts
  // start() may wait on `started_` for the new thread to have opened the FIFO, or to
  // have failed to (then `start_error_` says why).
  sem_t started_;
  std::string start_error_;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_WRITER_THREAD_H
