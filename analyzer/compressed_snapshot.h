// Snapshot files as shims since 2026-12-07 write them where the process has libzstd:
// one zstd frame holding the file, then a checksum of it (docs/FORMAT.md,
// "Compression"). The reader checks and inflates such a file in memory, and reads what
// it holds as it would the file itself.
#ifndef HEAPDRIFT_ANALYZER_COMPRESSED_SNAPSHOT_H
#define HEAPDRIFT_ANALYZER_COMPRESSED_SNAPSHOT_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <span>
#include <utility>

namespace heapdrift {

// Starts with zstd's frame magic number.
bool is_compressed(std::span<const uint8_t> bytes);

// Bytes in a buffer from malloc, left uninitialised before it is filled: zeroing it
// first costs as much as a tenth of `leaks` over 2 GB of snapshots.
struct OwnedBytes {
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data;
  size_t size = 0;
  size_t capacity = 0;  // of the buffer, from size on unused

  OwnedBytes() = default;
  // One moved from is empty: its buffer went, and its numbers with it.
  OwnedBytes(OwnedBytes&& o) noexcept
      : data(std::move(o.data)), size(std::exchange(o.size, 0)), capacity(std::exchange(o.capacity, 0)) {}
  OwnedBytes& operator=(OwnedBytes&& o) noexcept {
    data = std::move(o.data), size = std::exchange(o.size, 0), capacity = std::exchange(o.capacity, 0);
    return *this;
  }
  std::span<const uint8_t> span() const { return {data.get(), size}; }

  // A buffer of `capacity` bytes at least, its first `size` kept. With realloc, which
  // neither zeroes nor, for large blocks, copies. Throws std::bad_alloc.
  void reserve(size_t wanted) {
    if (wanted <= capacity && data) return;
    auto* grown = static_cast<uint8_t*>(std::realloc(data.get(), std::max<size_t>(wanted, 1)));
    if (grown == nullptr) throw std::bad_alloc();
    data.release();
    data.reset(grown);
    capacity = wanted;
  }
};

// The bytes the frame holds, in `reuse`'s buffer if it is given (grown as needed): a
// reader of a series inflates each file where the one before it was, rather than into
// new memory, which the kernel zeroes page by page. Throws FormatError (byte_reader.h)
// for damaged (a checksum that does not match), truncated or trailing data, and
// std::bad_alloc past what memory or kMaxInflatedBytes allow.
OwnedBytes inflate_snapshot(std::span<const uint8_t> bytes, OwnedBytes reuse = {});

// Far above what a shim writes (4 M live samples and 1 M stacks of 256 frames make
// ~2.3 GiB): a bound on what a damaged or hostile frame can make the reader allocate.
inline constexpr size_t kMaxInflatedBytes = size_t{16} << 30;

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_COMPRESSED_SNAPSHOT_H
