// One JIT log record's payload while it is encoded: contiguous bytes on mmap'ed pages
// that double when full, so that a record is encoded in one pass and its length can
// still lead it. The pages stay mapped for the next record (the largest record so far
// sets the size); the agent keeps its memory out of the malloc it runs under.
//
// NB: not thread-safe; the agent serialises all use with its mutex.
#ifndef HEAPDRIFT_PERFMAP_RECORD_BUFFER_H
#define HEAPDRIFT_PERFMAP_RECORD_BUFFER_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace heapdrift::perfmap {

class RecordBuffer {
 public:
  RecordBuffer() = default;
  ~RecordBuffer();
  RecordBuffer(const RecordBuffer&) = delete;
  RecordBuffer& operator=(const RecordBuffer&) = delete;

  void put(const void* data, size_t n) {
    if (n > capacity_ - size_ && !grow(n)) {
      failed_ = true;
      return;
    }
    if (n > 0) std::memcpy(data_ + size_, data, n);
    size_ += n;
  }
  // Empties the buffer for the next record.
  void clear() {
    size_ = 0;
    failed_ = false;
  }

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // True when a put found no memory since the last clear(): the record is incomplete.
  bool failed() const { return failed_; }

 private:
  bool grow(size_t n);

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool failed_ = false;
};

}  // namespace heapdrift::perfmap

#endif  // HEAPDRIFT_PERFMAP_RECORD_BUFFER_H
