// Start-up, fork and exit of the shim inside the target process.
//
// Start-up (the library's constructor): read the configuration, resolve the real
// allocator, create the Recorder and the writer thread, and only then let the hooks
// record. libunwind and libzstd are loaded then (libunwind_library.h, zstd_library.h):
// no snapshot may wait for the loader's lock (initialize() says why). libunwind sets
// itself up later, at the first sample (stack_capture.cpp).
// Anything wrong is reported once on stderr and the process runs on unprofiled: the
// shim never takes its host down.
//
// fork: prepare takes the writer's mutex, closes the unwind gate (no thread inside
// libunwind), then takes the stack depot's and every live-table shard's lock (always in
// that order), so the child inherits consistent tables and no lock held by a thread
// that does not exist in it. What prepare waits for (a snapshot, a thread inside the
// gate) must never wait for the loader's lock: a fork from a library constructor holds
// it (dlopen). So neither asks the loader anything that takes it: no dlopen, dlsym or
// dladdr (initialize(), java_heap.cpp, stack_capture.cpp); dl_iterate_phdr takes
// another lock. The child starts clean, with its own directory and writer thread. vfork
// and posix_spawn children share the parent's memory until exec and run no atfork
// handler; they are never "re-initialised", and the few libc calls they make before
// exec go through the hooks like the parent's.
//
// Exit: an atexit handler has the writer thread write the last snapshot (writer_thread.h
// says why not the exiting thread), unless the process is not the one the shim started
// in (a child made by a raw clone(), without fork's handlers, that exits without exec).
// A program whose malloc is its own gets no writer thread: its exit snapshot, the only
// one, is written by the exiting thread. That walks no arenas, but its strings come
// from the program's malloc: an exit() from a signal handler that interrupted that
// malloc would wait on its lock, as any of the program's exit handlers that allocate.
// Nothing is torn down: other threads may still allocate while exit runs.
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <string>
#include <unistd.h>

#include "config.h"
#include "errno_kept.h"
#include "file_size_signal.h"
#include "libunwind_library.h"
#include "libunwind_pipe.h"
#include "lifecycle.h"
#include "memory_stats.h"
#include "module_map.h"
#include "real_alloc.h"
#include "recorder.h"
#include "snapshot_writer.h"
#include "stack_capture.h"
#include "thread_state.h"
#include "writer_thread.h"
#include "zstd_library.h"

namespace heapdrift {

std::atomic<bool> g_live{false};
Recorder* g_recorder = nullptr;
PageFilter g_page_filter;

namespace {

alignas(Recorder) unsigned char g_recorder_storage[sizeof(Recorder)];
alignas(WriterThread) unsigned char g_writer_storage[sizeof(WriterThread)];
WriterThread* g_writer = nullptr;
pthread_key_t g_thread_key;

// One line on stderr, formatted on the stack: at exit the allocator may be unusable.
__attribute__((format(printf, 1, 2))) void report(const char* format, ...) {
  char line[1024] = "heapdrift: ";
  const size_t prefix = strlen(line);
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line + prefix, sizeof(line) - prefix - 1, format, args);
  va_end(args);
  size_t length = prefix + (n < 0 ? 0 : std::min(static_cast<size_t>(n), sizeof(line) - prefix - 2));
  line[length++] = '\n';
  FileSizeSignalHeld held;  // a stderr file at its size limit loses the line, not the process
  (void)!write(STDERR_FILENO, line, length);
}

const char* env_lookup(const char* name, void*) { return getenv(name); }

ProcessIdentity current_identity() {
  ProcessIdentity id;
  id.pid = static_cast<uint32_t>(getpid());
  id.ppid = static_cast<uint32_t>(getppid());
  id.start_wall_ns = clock_ns(CLOCK_REALTIME);
  id.start_mono_ns = clock_ns(CLOCK_MONOTONIC);
  return id;
}

void on_thread_exit(void*) {
  ErrnoKept kept;
  ReentrancyGuard guard(t_state);
  g_recorder->detach(t_state);
}

void on_thread_attached(ThreadState&) {
  // Any non-null value makes the key's destructor run at thread exit.
  pthread_setspecific(g_thread_key, &g_thread_key);
}

void at_exit() {
  // A child made without fork's handlers (a raw clone()) runs this as a copy of its
  // parent: it must not write as the parent, into the parent's directory, taking the
  // number that the parent's exit snapshot will need.
  if (static_cast<uint32_t>(getpid()) != g_writer->pid()) return;
  ErrnoKept kept;
  ReentrancyGuard guard(t_state);
  if (!g_writer->finish()) {
    report("pid %d wrote no exit snapshot: the writer made no progress for %llu s (exit() from a signal handler "
           "that interrupted the allocator?)",
           getpid(), static_cast<unsigned long long>(WriterThread::kExitStallMs / 1000));
    return;
  }
  WriterThread::Failures f = g_writer->failures();
  if (f.count == 0) return;
  const bool permission = f.first_error == EACCES || f.first_error == EPERM;
  report("pid %d could not write %u of its %u snapshots into %s: %s%s", getpid(), f.count, f.attempts,
         g_writer->process_dir().c_str(), strerror(f.first_error),
         permission ? " (it changed user after it started?)" : "");
}

void prepare_fork() {
  ErrnoKept kept;
  ReentrancyGuard guard(t_state);
  g_writer->prepare_fork();
  g_recorder->prepare_fork();
}

void parent_after_fork() {
  ErrnoKept kept;
  ReentrancyGuard guard(t_state);
  g_recorder->parent_after_fork();
  g_writer->parent_after_fork();
}

void child_after_fork() {
  ErrnoKept kept;
  ReentrancyGuard guard(t_state);
  g_recorder->child_after_fork(t_state);
  std::string error;
  if (!g_writer->child_after_fork(current_identity(), &error)) {
    g_live.store(false, std::memory_order_release);
    report("%s; pid %d runs unprofiled", error.c_str(), getpid());
  }
}

}  // namespace

long without_writer_thread(long (*call)(const void* args), const void* args) {
  long r = call(args);
  if (r == 0 || errno != EINVAL || !g_live.load(std::memory_order_acquire)) return r;
  ReentrancyGuard guard(t_state);
  // Joining the writer and sleeping between tries are cancellation points, which
  // unshare and setns are not: a thread cancelled there would leave the writer stopped
  // and the mutex held.
  int cancel_state;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
  static pthread_mutex_t one_at_a_time = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&one_at_a_time);
  if (!g_writer->pause()) {
    errno = EINVAL;  // the first call's answer, whatever pause() met
  } else {
    // Joined, the thread still counts among the process's until the kernel has
    // reaped it, a moment later. A call that EINVAL is the answer to anyway ends here
    // after ~10 ms.
    for (int tries = 0; tries < 50; ++tries) {
      r = call(args);
      if (r == 0 || errno != EINVAL) break;
      timespec wait{0, 200 * 1000};
      nanosleep(&wait, nullptr);
    }
    int saved = errno;
    g_writer->resume();
    errno = saved;
  }
  pthread_mutex_unlock(&one_at_a_time);
  pthread_setcancelstate(cancel_state, nullptr);
  return r;
}

void give_directory_to(uid_t uid) {
  // Not from a child made by a raw clone(), which would give away its parent's.
  if (!g_live.load(std::memory_order_acquire) || static_cast<uint32_t>(getpid()) != g_writer->pid()) return;
  g_writer->give_to(uid);
}

namespace {

std::string absolute(const char* dir) {
  if (dir[0] == '/') return dir;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof(cwd))) return dir;
  return std::string(cwd) + "/" + dir;
}

// A program with a malloc of its own (an allocator linked into it statically: jemalloc,
// tcmalloc, mimalloc; Chromium's PartitionAlloc) comes before every preloaded library in
// symbol lookup, so its allocations never reach the hooks: said once, so that an empty
// recording is no riddle. Only a malloc that an object defines counts: a non-PIE program
// that takes malloc's address makes its PLT entry malloc's address for everyone (node
// does), and calls through it still reach the shim. True if the program's malloc is its own.
bool warn_if_malloc_is_elsewhere(uintptr_t self_lo, uintptr_t self_hi) {
  void* found = dlsym(RTLD_DEFAULT, "malloc");
  const auto address = reinterpret_cast<uintptr_t>(found);
  if (found == nullptr || (address >= self_lo && address < self_hi)) return false;
  Dl_info info{};
  void* entry = nullptr;  // the ElfW(Sym) that dladdr1 matched
  if (!dladdr1(found, &info, &entry, RTLD_DL_SYMENT) || entry == nullptr || info.dli_saddr != found ||
      info.dli_sname == nullptr || strcmp(info.dli_sname, "malloc") != 0 ||
      static_cast<const ElfW(Sym)*>(entry)->st_shndx == SHN_UNDEF) {
    return false;
  }
  std::string where = info.dli_fname ? info.dli_fname : "";
  // The program's own name, also for one started as /proc/self/exe (Chromium's children).
  if (where.empty() || where.starts_with("/proc/")) where = executable_path();
  report("malloc is %s's own, which comes before heapdrift's (an allocator linked into it?): its "
         "allocations are not recorded, and only its exit snapshot is written",
         where.empty() ? "the program" : where.c_str());
  set_malloc_is_the_programs();
  return true;
}

void initialize() {
  Config config;
  char error[512];
  if (!load_config(env_lookup, nullptr, &config, error, sizeof(error))) {
    report("%s; running unprofiled", error);
    return;
  }
  resolve_real_allocator();
  if (!g_real.ready.load()) {
    report("cannot find the real malloc/free (dlsym RTLD_NEXT); running unprofiled");
    return;
  }
  std::string root = config.output_dir[0] ? absolute(config.output_dir)
                                          : absolute(("heapdrift." + std::to_string(getpid())).c_str());

  // Frames of the shim itself are cut from every stack.
  uintptr_t self_lo = 0, self_hi = 0;
  code_range_of(reinterpret_cast<const void*>(&initialize), &self_lo, &self_hi);
  const bool malloc_is_the_programs = warn_if_malloc_is_elsewhere(self_lo, self_hi);
  if (config.unwind == UnwindMode::kLibunwind) {
    if (libunwind() == nullptr) {
      report("%s: stacks are walked by frame pointers only, and end at code built without them (install "
             "libunwind8, or libunwind on Red Hat systems)",
             libunwind_error());
      config.unwind = UnwindMode::kFramePointer;
    }
    redirect_libunwind_pipe();  // before libunwind opens its pipe; without it, as before
  }
  prepare_stack_capture();
  // What snapshots need from other libraries is looked up now, in the constructor, as
  // libunwind is: dlopen and dlsym take the loader's lock, which a snapshot must never
  // wait for. A program thread inside dlopen holds it while the library's constructors
  // run; one that forks there waits in the fork handler for the snapshot lock, and one
  // that exits there waits for the exit snapshot. Forked children inherit what was found.
  find_allocator_queries();
  if (config.compress) zstd();

  if (pthread_key_create(&g_thread_key, on_thread_exit) != 0) {
    report("cannot create a thread key; running unprofiled");
    return;
  }
  g_page_filter.pin(0, 1);
  auto bootstrap = reinterpret_cast<uintptr_t>(g_bootstrap);
  g_page_filter.pin(bootstrap, bootstrap + kBootstrapSize);
  g_recorder = new (g_recorder_storage) Recorder(config, self_lo, self_hi, g_page_filter);
  g_recorder->set_attach_callback(on_thread_attached);
  // Where no allocation can be recorded, the writer thread would be all the shim adds,
  // and a thread the program did not start is one too many for some: Chromium's zygote
  // checks that it has no other before it forks a renderer, and aborts the browser.
  g_writer = new (g_writer_storage) WriterThread(*g_recorder, root, !malloc_is_the_programs);
  std::string why;
  if (!g_writer->start(current_identity(), &why)) {
    report("%s; running unprofiled", why.c_str());
    return;
  }
  pthread_atfork(prepare_fork, parent_after_fork, child_after_fork);
  atexit(at_exit);
  g_live.store(true, std::memory_order_release);
}

}  // namespace

__attribute__((constructor)) void heapdrift_start() {
  ErrnoKept kept;
  ReentrancyGuard guard(t_state);
  initialize();
}

}  // namespace heapdrift
