#include "libunwind_pipe.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstring>

#include "address_test.h"
#include "libunwind_library.h"

namespace heapdrift {
namespace {

constexpr int kPipeRead = -2, kPipeWrite = -3;

using ReadFn = ssize_t (*)(int, void*, size_t);
using CloseFn = int (*)(int);
using SyscallFn = long (*)(long, ...);
using WriteFn = ssize_t (*)(int, const void*, size_t);
ReadFn g_read;
WriteFn g_write;
CloseFn g_close;
SyscallFn g_syscall;

// What a one-byte write from `address` to the pipe would have answered.
long write_test(uintptr_t address) {
  if (readable(address)) {
    errno = 0;  // libunwind loops while errno is EINTR, success or not
    return 1;
  }
  errno = EFAULT;
  return -1;
}

// libunwind asks mincore() whether a page is mapped before its write test. mincore is
// not in every seccomp allow-list (systemd's @system-service lacks it, and a unit
// without SystemCallErrorNumber= kills the process for it): the same futex test
// answers, page by page, for readable rather than mapped, which is what libunwind
// wants to know.
int mincore_of_validation(void* start, size_t length, unsigned char* vec) {
  const uintptr_t page = 4096, at = reinterpret_cast<uintptr_t>(start);
  for (size_t i = 0; i * page < length; ++i) {
    if (!readable(at + i * page)) {
      errno = ENOMEM;
      return -1;
    }
    vec[i] = 1;
  }
  return 0;
}

int pipe_without_fds(int fds[2], int) {
  fds[0] = kPipeRead;
  fds[1] = kPipeWrite;
  return 0;
}

ssize_t read_of_pipe(int fd, void* buf, size_t len) {
  if (fd != kPipeRead) return g_read(fd, buf, len);
  errno = EAGAIN;  // nothing to drain: libunwind takes it as a pipe that works
  return -1;
}

int close_of_pipe(int fd) { return fd == kPipeRead || fd == kPipeWrite ? 0 : g_close(fd); }

long syscall_of_pipe(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (long& arg : a) arg = va_arg(ap, long);  // as glibc's syscall() itself takes them
  va_end(ap);
  // An int argument fills only the low half of its register.
  if (number != SYS_write || static_cast<int>(a[0]) != kPipeWrite) {
    return g_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  }
  return write_test(static_cast<uintptr_t>(a[1]));
}

ssize_t write_of_pipe(int fd, const void* buf, size_t len) {
  return fd == kPipeWrite ? write_test(reinterpret_cast<uintptr_t>(buf)) : g_write(fd, buf, len);
}

// In the order they are redirected: pipe2 last, so that no fake descriptor exists
// before every call that could be handed one is ours. libunwind tests with syscall()
// where it has <sys/syscall.h>, with write() elsewhere; it imports mincore where it
// was built with it.
enum { kMincore, kSyscall, kWrite, kRead, kClose, kPipe2, kImportCount };
struct Import {
  const char* name;
  void* replacement;
};
const Import kImports[kImportCount] = {
    {"mincore", reinterpret_cast<void*>(&mincore_of_validation)},
    {"syscall", reinterpret_cast<void*>(&syscall_of_pipe)},
    {"write", reinterpret_cast<void*>(&write_of_pipe)},
    {"read", reinterpret_cast<void*>(&read_of_pipe)},
    {"close", reinterpret_cast<void*>(&close_of_pipe)},
    {"pipe2", reinterpret_cast<void*>(&pipe_without_fds)},
};

struct Relro {
  ElfW(Addr) base;
  uintptr_t lo = 0, hi = 0;
};

int find_relro(dl_phdr_info* info, size_t, void* data) {
  auto* r = static_cast<Relro*>(data);
  if (info->dlpi_addr != r->base) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    if (info->dlpi_phdr[i].p_type != PT_GNU_RELRO) continue;
    r->lo = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
    r->hi = r->lo + info->dlpi_phdr[i].p_memsz;
  }
  return 1;
}

// Stores `value` in a GOT slot; one that is read-only after relocation (RELRO) is made
// writable for the store.
bool store(void** slot, void* value, const Relro& relro) {
  auto at = reinterpret_cast<uintptr_t>(slot);
  if (at < relro.lo || at >= relro.hi) {
    __atomic_store_n(slot, value, __ATOMIC_RELEASE);
    return true;
  }
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  void* start = reinterpret_cast<void*>(at & ~(page - 1));
  if (mprotect(start, page, PROT_READ | PROT_WRITE) != 0) return false;
  __atomic_store_n(slot, value, __ATOMIC_RELEASE);
  mprotect(start, page, PROT_READ);
  return true;
}

}  // namespace

bool redirect_libunwind_pipe() {
  g_read = reinterpret_cast<ReadFn>(dlsym(RTLD_DEFAULT, "read"));
  g_close = reinterpret_cast<CloseFn>(dlsym(RTLD_DEFAULT, "close"));
  g_syscall = reinterpret_cast<SyscallFn>(dlsym(RTLD_DEFAULT, "syscall"));
  g_write = reinterpret_cast<WriteFn>(dlsym(RTLD_DEFAULT, "write"));
  // The test must tell a readable word (zero or not) from the unmapped page 0.
  static const int probes[2] = {0, 1};
  if (!g_read || !g_close || !g_syscall || !g_write || !readable(reinterpret_cast<uintptr_t>(&probes[0])) ||
      !readable(reinterpret_cast<uintptr_t>(&probes[1])) || readable(0)) {
    return false;
  }

  const Libunwind* uw = libunwind();
  Dl_info info;
  link_map* lm = nullptr;
  if (!uw || !dladdr1(reinterpret_cast<void*>(uw->init_local), &info, reinterpret_cast<void**>(&lm), RTLD_DL_LINKMAP) ||
      !lm) {
    return false;
  }
  // glibc has relocated the dynamic section's addresses in place; a loader that has not
  // leaves them below the load address.
  auto address = [lm](ElfW(Addr) a) { return a < lm->l_addr ? a + lm->l_addr : a; };
  const ElfW(Sym)* symtab = nullptr;
  const char* strtab = nullptr;
  const ElfW(Rela)* tables[2] = {nullptr, nullptr};
  size_t sizes[2] = {0, 0};
  for (const ElfW(Dyn)* d = lm->l_ld; d->d_tag != DT_NULL; ++d) {
    switch (d->d_tag) {
      case DT_SYMTAB: symtab = reinterpret_cast<const ElfW(Sym)*>(address(d->d_un.d_ptr)); break;
      case DT_STRTAB: strtab = reinterpret_cast<const char*>(address(d->d_un.d_ptr)); break;
      case DT_JMPREL: tables[0] = reinterpret_cast<const ElfW(Rela)*>(address(d->d_un.d_ptr)); break;
      case DT_PLTRELSZ: sizes[0] = d->d_un.d_val; break;
      case DT_RELA: tables[1] = reinterpret_cast<const ElfW(Rela)*>(address(d->d_un.d_ptr)); break;
      case DT_RELASZ: sizes[1] = d->d_un.d_val; break;
      case DT_PLTREL:
        if (d->d_un.d_val != DT_RELA) return false;
        break;
    }
  }
  if (!symtab || !strtab) return false;
  Relro relro{lm->l_addr};
  dl_iterate_phdr(&find_relro, &relro);

  // Every slot first: all or nothing.
  constexpr size_t kMaxSlots = 4;
  void** slots[kImportCount][kMaxSlots] = {};
  size_t counts[kImportCount] = {};
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; tables[t] && i < sizes[t] / sizeof(ElfW(Rela)); ++i) {
      const ElfW(Rela)& r = tables[t][i];
      uint32_t type = ELF64_R_TYPE(r.r_info);
      if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) continue;
      const char* name = strtab + symtab[ELF64_R_SYM(r.r_info)].st_name;
      for (int k = 0; k < kImportCount; ++k) {
        if (std::strcmp(name, kImports[k].name) == 0 && counts[k] < kMaxSlots) {
          slots[k][counts[k]++] = reinterpret_cast<void**>(lm->l_addr + r.r_offset);
        }
      }
    }
  }
  if (!counts[kPipe2] || !counts[kRead] || !counts[kClose] || (!counts[kSyscall] && !counts[kWrite])) return false;
  for (int k = 0; k < kImportCount; ++k) {
    for (size_t i = 0; i < counts[k]; ++i) {
      if (!store(slots[k][i], kImports[k].replacement, relro)) return false;
    }
  }
  return true;
}

}  // namespace heapdrift
