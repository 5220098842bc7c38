#include "jitdump_writer.h"

#include <cerrno>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace heapdrift::perfmap {
namespace {

template <class T>
void put(BufferedFd<64 * 1024>& out, T v) {
  out.put(&v, sizeof v);
}

}  // namespace

JitdumpWriter::~JitdumpWriter() { close(0); }

int JitdumpWriter::open(const char* path, uint32_t pid, uint64_t time_ns) {
  int fd = ::open(path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  // perf record learns of the file from this mapping (its name is the key).
  long page = sysconf(_SC_PAGESIZE);
  mapping_size_ = page > 0 ? static_cast<size_t>(page) : 4096;
  void* m = mmap(nullptr, mapping_size_, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  mapping_ = m == MAP_FAILED ? nullptr : m;
  fd_ = fd;
  out_.reset(fd);
  put(out_, jitdump::kMagic);
  put(out_, jitdump::kVersion);
  put(out_, jitdump::kHeaderSize);
  put(out_, uint32_t{EM_X86_64});
  put(out_, uint32_t{0});  // pad
  put(out_, pid);
  put(out_, time_ns);
  put(out_, uint64_t{0});  // flags: timestamps are not the TSC
  return out_.flush() ? 0 : out_.error();
}

void JitdumpWriter::code_load(uint64_t time_ns, uint32_t pid, uint32_t tid, uint64_t address, uint64_t size,
                              std::string_view name) {
  if (!out_.usable()) return;
  uint64_t total = jitdump::kCodeLoadFixedSize + name.size() + 1 + size;
  if (total > UINT32_MAX) return;
  put(out_, jitdump::kCodeLoad);
  put(out_, static_cast<uint32_t>(total));
  put(out_, time_ns);
  put(out_, pid);
  put(out_, tid);
  put(out_, address);  // vma
  put(out_, address);  // code_addr
  put(out_, size);
  put(out_, code_index_++);
  out_.put(name.data(), name.size());
  put(out_, '\0');
  out_.put(reinterpret_cast<const void*>(address), size);  // the code, there during the callback
}

void JitdumpWriter::close(uint64_t time_ns) {
  if (fd_ < 0) return;
  if (out_.usable()) {
    put(out_, jitdump::kCodeClose);
    put(out_, jitdump::kRecordHeaderSize);
    put(out_, time_ns);
  }
  out_.flush();
  out_.reset(-1);
  if (mapping_) munmap(mapping_, mapping_size_);
  mapping_ = nullptr;
  ::close(fd_);
  fd_ = -1;
}

}  // namespace heapdrift::perfmap
