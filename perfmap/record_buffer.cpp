#include "record_buffer.h"

#include "page_arena.h"

namespace heapdrift::perfmap {
namespace {

constexpr size_t kInitialCapacity = 64 * 1024;

}  // namespace

RecordBuffer::~RecordBuffer() { unmap_pages(data_, capacity_); }

bool RecordBuffer::grow(size_t n) {
  size_t capacity = capacity_ == 0 ? kInitialCapacity : capacity_;
  while (capacity - size_ < n) {
    if (capacity > SIZE_MAX / 2) return false;
    capacity *= 2;
  }
  auto* data = static_cast<uint8_t*>(map_pages(capacity));
  if (!data) return false;
  if (size_ > 0) std::memcpy(data, data_, size_);
  unmap_pages(data_, capacity_);
  data_ = data;
  capacity_ = capacity;
  return true;
}

}  // namespace heapdrift::perfmap
