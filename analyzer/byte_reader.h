// Bounds-checked little-endian decoding of one section's payload. Every read checks
// what is left first, so a malformed payload throws FormatError instead of reading
// past the buffer; counts are checked against the bytes left before anything is
// reserved, so a huge count cannot make the reader allocate gigabytes.
#ifndef HEAPDRIFT_ANALYZER_BYTE_READER_H
#define HEAPDRIFT_ANALYZER_BYTE_READER_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>

namespace heapdrift {

// A problem in the bytes of a file; the caller adds the file's name.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteReader {
 public:
  // `what` names the data in error messages (e.g. "section 'stacks'").
  ByteReader(std::span<const uint8_t> data, std::string what)
      : data_(data), what_(std::move(what)) {}

  uint8_t u8() { return fixed<uint8_t>(); }
  uint16_t u16() { return fixed<uint16_t>(); }
  uint32_t u32() { return fixed<uint32_t>(); }
  uint64_t u64() { return fixed<uint64_t>(); }
  double f64() { return fixed<double>(); }

  std::span<const uint8_t> bytes(uint64_t n) {
    need(n);
    auto out = data_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return out;
  }

  std::string str() {
    uint32_t len = u32();
    auto b = bytes(len);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }

  // Checks that `count` entries of at least `min_entry_size` bytes each can fit in
  // what is left, before the caller reserves room for them.
  size_t count(uint64_t count, size_t min_entry_size) {
    if (min_entry_size != 0 && count > remaining() / min_entry_size) {
      fail("count " + std::to_string(count) + " cannot fit in the " +
           std::to_string(remaining()) + " bytes left");
    }
    return static_cast<size_t>(count);
  }

  size_t remaining() const { return data_.size() - pos_; }
  size_t offset() const { return pos_; }

  // A payload must be consumed exactly: leftover bytes mean writer and reader disagree.
  void expect_end() {
    if (remaining() != 0) fail(std::to_string(remaining()) + " unexpected bytes at its end");
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw FormatError(what_ + " is malformed: " + problem);
  }

 private:
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the format is little-endian");

  template <typename T>
  T fixed() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  void need(uint64_t n) const {
    if (n > remaining()) {
      fail("a field at offset " + std::to_string(pos_) + " needs " + std::to_string(n) +
           " bytes but only " + std::to_string(remaining()) + " are left");
    }
  }

  std::span<const uint8_t> data_;
  std::string what_;
  size_t pos_ = 0;
};

}  // namespace heapdrift

#endif  // HEAPDRIFT_ANALYZER_BYTE_READER_H
