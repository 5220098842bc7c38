// jvm_counters: the jvm.* keys read from images laid out as HotSpot lays out its
// hsperfdata file (perfMemory.hpp, perfData.hpp), and add_jvm_counters finding the
// process's own file among its mappings. The e2e test ClassLoaderLeak reads a real
// JVM's.
#include "jvm_counters.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace heapdrift {
namespace {

// An image of named counters: longs ('J') unless a name is given as a string ('B').
class Image {
 public:
  Image& counter(const std::string& name, uint64_t value) { return entry(name, 'J', 0, value); }
  Image& text(const std::string& name) { return entry(name, 'B', 16, 0); }
  std::vector<uint8_t> bytes(uint8_t byte_order = 1) const {
    std::vector<uint8_t> out(32);
    const uint8_t magic[4] = {0xca, 0xfe, 0xc0, 0xc0};
    std::memcpy(out.data(), magic, 4);
    out[4] = byte_order, out[5] = 2, out[6] = 0, out[7] = 1;
    out.insert(out.end(), entries_.begin(), entries_.end());
    put32(out, 8, uint32_t(out.size()));  // used
    put32(out, 24, 32);                   // entry_offset
    put32(out, 28, count_);
    return out;
  }

 private:
  static void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
  Image& entry(const std::string& name, char type, uint32_t vector_length, uint64_t value) {
    std::vector<uint8_t> e(20);
    e.insert(e.end(), name.begin(), name.end());
    e.push_back(0);
    while (e.size() % 8) e.push_back(0);
    const uint32_t data_offset = uint32_t(e.size());
    e.resize(e.size() + (vector_length ? vector_length : 8));
    if (!vector_length) std::memcpy(e.data() + data_offset, &value, 8);
    put32(e, 0, uint32_t(e.size()));
    put32(e, 4, 20);
    put32(e, 8, vector_length);
    e[12] = uint8_t(type);
    put32(e, 16, data_offset);
    entries_.insert(entries_.end(), e.begin(), e.end());
    ++count_;
    return *this;
  }
  std::vector<uint8_t> entries_;
  uint32_t count_ = 0;
};

std::map<std::string, uint64_t> keys(const std::vector<uint8_t>& image) {
  std::map<std::string, uint64_t> out;
  for (auto& [k, v] : jvm_counters(image)) out[k] = v;
  return out;
}

// As a JDK 17 JVM with G1 names them (jcmd PID PerfCounter.print).
Image jdk17() {
  Image i;
  i.text("java.property.java.class.path")
      .counter("java.threads.live", 7)
      .counter("java.threads.livePeak", 9)
      .counter("java.cls.loadedClasses", 2000)
      .counter("java.cls.unloadedClasses", 10)
      .counter("java.cls.sharedLoadedClasses", 400)
      .counter("java.cls.sharedUnloadedClasses", 0)
      .counter("sun.gc.collector.0.invocations", 5)
      .counter("sun.gc.collector.2.invocations", 1)
      .counter("sun.gc.generation.0.capacity", 20 << 20)
      .counter("sun.gc.generation.0.space.0.capacity", 19 << 20)
      .counter("sun.gc.generation.1.capacity", 300 << 20)
      .counter("sun.gc.generation.1.maxCapacity", 6000u << 20)
      .counter("sun.gc.metaspace.capacity", 98 << 20)
      .counter("sun.gc.metaspace.used", 97 << 20)
      .counter("sun.gc.metaspace.maxCapacity", 1u << 30)
      .counter("sun.gc.compressedclassspace.capacity", 1 << 20);
  return i;
}

TEST(JvmCounters, ReadsTheJvmsSpacesThreadsAndClasses) {
  std::map<std::string, uint64_t> k = keys(jdk17().bytes());
  const std::map<std::string, uint64_t> expected = {
      {"jvm.heap_committed_bytes", 320u << 20},  // the generations, not their spaces nor maxima
      {"jvm.metaspace_committed_bytes", 98u << 20},
      {"jvm.metaspace_used_bytes", 97u << 20},
      {"jvm.class_space_committed_bytes", 1u << 20},
      {"jvm.threads", 7},
      {"jvm.classes", 2390},  // loaded and shared-loaded, less those unloaded
      {"jvm.gcs", 6},
  };
  EXPECT_EQ(k, expected);
}

TEST(JvmCounters, NothingFromWhatIsNotAnImageThisReaderKnows) {
  std::vector<uint8_t> good = jdk17().bytes();
  EXPECT_TRUE(keys(jdk17().bytes(0)).empty());  // big-endian
  std::vector<uint8_t> bad = good;
  bad[0] = 0;
  EXPECT_TRUE(keys(bad).empty());
  bad = good;
  bad[5] = 1;  // major version 1
  EXPECT_TRUE(keys(bad).empty());
  EXPECT_TRUE(keys({good.begin(), good.begin() + 20}).empty());
  // Cut anywhere, or with entries whose lengths or offsets run off: what is whole is read.
  for (size_t n = 0; n < good.size(); ++n) jvm_counters({good.data(), n});
  for (size_t at = 32; at + 20 <= good.size(); at += 4) {
    for (uint32_t v : {0u, 3u, 19u, 0xffffffffu}) {
      std::vector<uint8_t> b = good;
      std::memcpy(b.data() + at, &v, 4);
      jvm_counters(b);
    }
  }
}

TEST(JvmCounters, FromTheProcesssOwnFileOnly) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("heapdrift-jvm-counters-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "hsperfdata_someone");
  std::filesystem::create_directories(dir / "other");
  const std::vector<uint8_t> image = jdk17().bytes();
  auto write = [&](const std::filesystem::path& p) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(image.data()), long(image.size()));
    return p.string();
  };
  const std::string own = write(dir / "hsperfdata_someone" / std::to_string(getpid()));
  const std::string other_jvm = write(dir / "hsperfdata_someone" / std::to_string(getpid() + 1));
  const std::string not_perfdata = write(dir / "other" / std::to_string(getpid()));
  auto read = [](std::vector<std::string> paths) {
    std::vector<Mapping> maps;
    for (const std::string& p : paths) maps.push_back({0x1000, 0x9000, 0, 0, p});
    MemoryStats stats;
    add_jvm_counters(maps, &stats);
    return stats.values.size();
  };
  EXPECT_EQ(read({"/usr/lib/libc.so.6", other_jvm, not_perfdata, "", "[heap]"}), 0u);
  EXPECT_EQ(read({"/usr/lib/libc.so.6", own}), 7u);

  // The JVM removes its file as it exits but keeps it mapped: the exit snapshot reads it
  // from memory. A range unmapped since is an error, not a fault.
  const int fd = open(own.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  void* at = mmap(nullptr, image.size(), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  ASSERT_NE(at, MAP_FAILED);
  std::filesystem::remove(own);
  const auto start = reinterpret_cast<uint64_t>(at);
  const std::vector<Mapping> deleted = {{start, start + image.size(), 0, 0, own + " (deleted)"}};
  MemoryStats mapped;
  add_jvm_counters(deleted, &mapped);
  EXPECT_EQ(mapped.values.size(), 7u);
  EXPECT_EQ(read({own + " (deleted)"}), 0u);  // 0x1000: nothing mapped there
  munmap(at, image.size());
  MemoryStats unmapped;
  add_jvm_counters(deleted, &unmapped);
  EXPECT_EQ(unmapped.values.size(), 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace heapdrift
