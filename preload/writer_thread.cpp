#include "writer_thread.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "directory_acl.h"
#include "file_size_signal.h"
#include "file_status.h"
#include "mutex_lock.h"
#include "snapshot_format.h"
#include "thread_state.h"

namespace heapdrift {
namespace {

// Makes `path` and any missing parents. The leaf first: its parents exist in every
// process but the first, and each mkdir of one that exists is a system call for
// nothing. `*created` says whether `path` is new (then it holds no snapshots).
bool make_directories(const std::string& path, bool* created) {
  *created = mkdir(path.c_str(), 0755) == 0;
  if (*created) return true;
  if (errno == ENOENT) {
    for (size_t pos = 1; pos < path.size(); ++pos) {
      if (path[pos] != '/') continue;
      if (mkdir(path.substr(0, pos).c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    *created = mkdir(path.c_str(), 0755) == 0;
    if (*created) return true;
  }
  struct stat st;
  return errno == EEXIST && file_status(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

uint32_t highest_snapshot_number(const std::string& dir) {
  uint32_t highest = 0;
  DIR* d = opendir(dir.c_str());
  if (!d) return 0;
  const size_t prefix = strlen(format::kSnapshotPrefix);
  while (dirent* e = readdir(d)) {
    if (strncmp(e->d_name, format::kSnapshotPrefix, prefix) != 0) continue;
    unsigned long n = strtoul(e->d_name + prefix, nullptr, 10);
    if (n > highest && n < UINT32_MAX) highest = static_cast<uint32_t>(n);
  }
  closedir(d);
  return highest;
}

// On the writer thread, once it has a working directory of its own in the process's
// directory: its files are then named from there. A daemon that left root for a user
// who may not pass the directories above (/root) still reaches them.
__attribute__((tls_model("initial-exec"))) thread_local bool t_in_process_dir = false;

}  // namespace

WriterThread::WriterThread(Recorder& recorder, std::string root_dir, bool with_thread)
    : recorder_(recorder),
      root_dir_(std::move(root_dir)),
      with_thread_(with_thread),
      series_(recorder.config().max_snapshots) {
  init_exit_done();
}

// Waited on with deadlines on the monotonic clock, which a change of the wall clock
// does not stretch (pthread_cond_clockwait is glibc 2.30's: glibc_floor.h).
void WriterThread::init_exit_done() {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&exit_done_, &attr);
  pthread_condattr_destroy(&attr);
}

bool WriterThread::start(const ProcessIdentity& identity, std::string* error, bool wait_until_open) {
  identity_ = identity;
  process_dir_ = root_dir_ + "/" + std::to_string(identity.pid);
  bool created = false;
  if (!make_directories(process_dir_, &created)) {
    const int e = errno;
    // A process that left root, or its child: the user it runs as is the clue.
    const std::string as = e == EACCES && geteuid() != 0 ? " as uid " + std::to_string(geteuid()) : "";
    *error = "cannot create " + process_dir_ + as + ": " + strerror(e);
    return false;
  }
  // After an exec the same pid carries on in the same directory: number on.
  sequence_ = created ? 0 : highest_snapshot_number(process_dir_);
  if (!with_thread_) return true;  // and no FIFO, which would have no reader
  // Without a FIFO (a file system that cannot hold one: vfat, some network shares) the
  // process is still recorded, periodically and at exit; `heapdrift snapshot` says why
  // it gets no answer.
  control_.create(process_dir_ + "/" + format::kControlFifo);
  return launch(error, wait_until_open);
}

bool WriterThread::launch(std::string* error, bool wait_until_open) {
  // The thread inherits a fully blocked signal mask: signals stay with the program's
  // own threads (the JVM relies on where its signals are delivered).
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  sem_init(&started_, 0, 0);
  start_error_.clear();
  set_state(State::kStarting);
  int rc = pthread_create(&thread_, nullptr, &WriterThread::thread_main, this);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (rc != 0) {
    set_state(State::kStopped);
    *error = std::string("cannot start the writer thread: ") + strerror(rc);
    return false;
  }
  if (wait_until_open) {
    // Until the FIFO is open, a request (the program's first line may make one)
    // would find no reader.
    while (sem_wait(&started_) != 0 && errno == EINTR) {
    }
    sem_destroy(&started_);
    if (!start_error_.empty()) {  // the thread has ended
      pthread_join(thread_, nullptr);
      *error = start_error_;
      return false;
    }
  }
  // Joinable: pause() waits for it to be gone.
  return true;
}

void WriterThread::set_state(State state) {
  MutexLock lock(state_mutex_);
  state_ = state;
}

bool WriterThread::carry_on() {
  MutexLock lock(state_mutex_);
  if (state_ == State::kStopping) {
    state_ = State::kStopped;
    return false;
  }
  state_ = State::kRunning;
  return true;
}

void* WriterThread::thread_main(void* self) {
  t_state.mode |= kInShim;  // for the thread's whole life
  prctl(PR_SET_NAME, "heapdrift");  // so that top -H and /proc tell it from the program's
  auto* writer = static_cast<WriterThread*>(self);
  bool opened = writer->control_.open_on_writer_thread(&writer->start_error_);
  t_in_process_dir = writer->control_.own_root_and_cwd() && chdir(writer->process_dir_.c_str()) == 0;
  if (!opened && writer->fifo_optional_) {
    writer->start_error_.clear();
    opened = true;
  }
  sem_post(&writer->started_);
  if (opened && writer->carry_on()) writer->run();
  else writer->set_state(State::kStopped);
  writer->control_.release();
  return nullptr;
}

bool WriterThread::pause() {
  bool starting;
  {
    MutexLock lock(state_mutex_);
    if (state_ != State::kRunning && state_ != State::kStarting) return false;
    starting = state_ == State::kStarting;
    state_ = State::kStopping;
  }
  // A thread still starting looks at the state once its FIFO is open; a running one
  // when a request wakes it: send one.
  if (!starting && !control_.poke()) {
    MutexLock lock(state_mutex_);
    if (state_ == State::kStopping) {  // it cannot be woken, and has not looked
      state_ = State::kRunning;
      return false;
    }
  }
  pthread_join(thread_, nullptr);
  return true;
}

void WriterThread::resume() {
  // In a namespace where the FIFO cannot be opened (a user namespace without our
  // user), the thread goes on without it: periodic snapshots only.
  fifo_optional_ = true;
  std::string error;
  launch(&error, true);
  fifo_optional_ = false;
}

void WriterThread::run() {
  const uint64_t interval_ns = recorder_.config().interval_ms * 1000000u;
  uint64_t next_due = clock_ns(CLOCK_MONOTONIC) + interval_ns;
  for (;;) {
    int timeout_ms = -1;
    if (interval_ns) {
      uint64_t now = clock_ns(CLOCK_MONOTONIC);
      timeout_ms = next_due > now ? static_cast<int>((next_due - now + 999999) / 1000000) : 0;
    }
    if (control_.wait(timeout_ms)) {
      if (!carry_on()) return;  // woken by pause()
      if (take_exit_request()) return write_exit_snapshot();
      snapshot(format::Trigger::kOnDemand);
    } else {
      snapshot(format::Trigger::kPeriodic);
      // A snapshot slower than the interval pushes the next one back rather than
      // letting them run back to back.
      next_due = std::max(next_due + interval_ns, clock_ns(CLOCK_MONOTONIC));
    }
  }
}

void WriterThread::snapshot(format::Trigger trigger) {
  MutexLock lock(mutex_);
  if (finished_) return;
  uint32_t sequence = ++sequence_;
  uint64_t mono_ns = 0;
  ++failures_.attempts;
  // Before the snapshot: the JIT code its stacks run through is named by then.
  const std::string dir = t_in_process_dir ? "." : process_dir_;
  perf_map_.update(PerfMapCopy::source_of(identity_.pid), dir, identity_.start_wall_ns, identity_.start_mono_ns);
  if (!write_snapshot(recorder_, memory_stats_, identity_, dir, sequence, trigger, &mono_ns, &progress_)) {
    if (failures_.count++ == 0) failures_.first_error = errno;
    return;
  }
  for (uint32_t old : series_.add(sequence, mono_ns)) unlink(snapshot_path(dir, old).c_str());
}

WriterThread::Failures WriterThread::failures() {
  MutexLock lock(mutex_);
  return failures_;
}

bool WriterThread::finish() {
  if (ask_for_exit_snapshot()) return wait_for_exit_snapshot();
  FileSizeSignalHeld held;
  write_last_snapshot();
  return true;
}

void WriterThread::write_last_snapshot() {
  snapshot(format::Trigger::kExit);
  MutexLock lock(mutex_);
  finished_ = true;
}

bool WriterThread::ask_for_exit_snapshot() {
  {
    MutexLock lock(state_mutex_);
    if (state_ != State::kRunning && state_ != State::kStarting) return false;
    exit_ = ExitRequest::kAsked;
  }
  // A thread still starting reads the request once it runs, if its FIFO is open (the
  // poke needs a reader).
  if (control_.poke()) return true;
  // The FIFO is out of reach (not open yet, the program changed its root or removed
  // it): unless the writer took the request meanwhile, the snapshot is written here.
  MutexLock lock(state_mutex_);
  if (exit_ != ExitRequest::kAsked) return true;
  exit_ = ExitRequest::kNone;
  return false;
}

bool WriterThread::wait_for_exit_snapshot() {
  MutexLock lock(state_mutex_);
  uint64_t seen = progress_.load(std::memory_order_relaxed);
  uint64_t last_change = clock_ns(CLOCK_MONOTONIC);
  while (exit_ != ExitRequest::kDone) {
    uint64_t now = clock_ns(CLOCK_MONOTONIC);
    uint64_t now_progress = progress_.load(std::memory_order_relaxed);
    if (now_progress != seen) {
      seen = now_progress;
      last_change = now;
    } else if (now - last_change >= kExitStallMs * 1000000u) {
      return false;
    }
    const uint64_t wake = now + 100 * 1000000u;  // to look at the progress again
    timespec until{static_cast<time_t>(wake / 1000000000u), static_cast<long>(wake % 1000000000u)};
    pthread_cond_timedwait(&exit_done_, &state_mutex_, &until);
  }
  return true;
}

bool WriterThread::take_exit_request() {
  MutexLock lock(state_mutex_);
  if (exit_ != ExitRequest::kAsked) return false;
  exit_ = ExitRequest::kTaken;
  return true;
}

void WriterThread::write_exit_snapshot() {
  write_last_snapshot();
  MutexLock lock(state_mutex_);
  exit_ = ExitRequest::kDone;
  pthread_cond_broadcast(&exit_done_);
}

void WriterThread::give_to(uid_t uid) {
  // Where the processes the user forks or execs make their directories. Without ACLs
  // on this file system they cannot, and say so as they start.
  (void)allow_user_in(root_dir_.c_str(), uid);
  MutexLock lock(mutex_);  // not while a snapshot is being written there
  if (chown(process_dir_.c_str(), uid, static_cast<gid_t>(-1)) != 0) return;
  DIR* d = opendir(process_dir_.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
      (void)!fchownat(dirfd(d), e->d_name, uid, static_cast<gid_t>(-1), AT_SYMLINK_NOFOLLOW);
    }
  }
  closedir(d);
}

void WriterThread::prepare_fork() { pthread_mutex_lock(&mutex_); }

void WriterThread::parent_after_fork() { pthread_mutex_unlock(&mutex_); }

bool WriterThread::child_after_fork(const ProcessIdentity& identity, std::string* error) {
  // The parent's writer thread does not exist here, and the mutex is held by the
  // (forking) thread: start over.
  pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
  mutex_ = fresh;
  state_mutex_ = fresh;
  init_exit_done();
  exit_ = ExitRequest::kNone;
  state_ = State::kStopped;
  // perf_map_ carries on (the child's perf map is another file), and so does
  // memory_stats_ (the child's arenas are copies of the parent's).
  series_.clear();
  sequence_ = 0;
  finished_ = false;
  failures_ = Failures{};
  control_.release();
  if (start(identity, error, false)) return true;
  finished_ = true;
  return false;
}

}  // namespace heapdrift
