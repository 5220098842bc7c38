// A daemon's start under the shim: it closes every descriptor above 2 and opens its
// own files, which take the lowest numbers, those the shim's objects had. Then it
// allocates on a new thread, every allocation sampled (each a stack walk by libunwind,
// which tests the addresses it reads, here on a stack it has not seen), and asks for a
// snapshot through the FIFO, by path. The shim must have left its files alone
// (content and offsets) and still answer.
//
//   descriptors_program DIR [seccomp]
//
// DIR receives the program's files. With `seccomp`, the program first forbids
// unshare(2) to itself and execs itself, so that the shim of the second image cannot
// take a descriptor table of its own; the same filter kills the process for mincore(2),
// as systemd's @system-service allow-list does (without SystemCallErrorNumber=).
//
// Prints "fifos_at_start N" (descriptors above 2 that are FIFOs or pipes, as main
// starts), "snap N" (the on-demand snapshot; 0 if none came), "intact K 0|1" per file,
// "fifos_at_end N", and the site of the allocations.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "self_snapshot.h"
#include "site.h"

HD_DECLARE_SITE(after_close);

namespace {

constexpr int kFiles = 6;

int fifos_above_stderr() {
  int n = 0;
  for (int fd = 3; fd < 1024; ++fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) ++n;
  }
  return n;
}

bool forbid_unshare_and_mincore() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mincore, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

// Deep enough that every walk steps through several frames of this program.
HD_SITE(after_close) void* allocate(int depth, size_t size) {
  if (depth > 0) {
    void* p = allocate(depth - 1, size);
    hd_escape(p);
    return p;
  }
  return malloc(size);
}

void* kept[16];

void* allocate_rounds(void*) {
  for (int round = 0; round < 200; ++round) {
    for (void*& p : kept) p = allocate(8, 64 + static_cast<size_t>(round));
    if (round + 1 < 200) {
      for (void* p : kept) free(p);
    }
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const bool seccomp = argc > 2 && std::strcmp(argv[2], "seccomp") == 0;
  if (seccomp && !getenv("DESCRIPTORS_REEXEC")) {
    if (!forbid_unshare_and_mincore()) return 4;
    setenv("DESCRIPTORS_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    return 5;
  }
  printf("fifos_at_start %d\n", fifos_above_stderr());
  shimtest::SelfSnapshot snapshots;
  if (!snapshots.init()) return 3;

  // What a daemon does first (closefrom), then its own files.
  close_range(3, ~0U, 0);
  int files[kFiles];
  for (int i = 0; i < kFiles; ++i) {
    std::string path = std::string(argv[1]) + "/file" + std::to_string(i);
    files[i] = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    std::string text = "contents of file " + std::to_string(i);
    if (files[i] < 0 || write(files[i], text.data(), text.size()) != static_cast<ssize_t>(text.size())) return 6;
    lseek(files[i], 0, SEEK_SET);
  }

  // On a new thread: its stack is memory libunwind has not tested yet.
  pthread_t thread;
  if (pthread_create(&thread, nullptr, &allocate_rounds, nullptr) != 0) return 7;
  pthread_join(thread, nullptr);
  // Numbered afresh: a writer thread sharing our table may have answered the loss of
  // its descriptor with a snapshot of its own meanwhile.
  if (!snapshots.init()) return 3;
  printf("snap %u\n", snapshots.take());

  for (int i = 0; i < kFiles; ++i) {
    std::string text = "contents of file " + std::to_string(i);
    char back[64] = {};
    struct stat st;
    bool intact = lseek(files[i], 0, SEEK_CUR) == 0 && fstat(files[i], &st) == 0 &&
                  st.st_size == static_cast<off_t>(text.size()) &&
                  pread(files[i], back, sizeof(back), 0) == static_cast<ssize_t>(text.size()) && text == back;
    printf("intact %d %d\n", i, intact ? 1 : 0);
  }
  printf("fifos_at_end %d\n", fifos_above_stderr());
  HD_PRINT_SITE(stdout, after_close);
  for (void* p : kept) free(p);
  return 0;
}
