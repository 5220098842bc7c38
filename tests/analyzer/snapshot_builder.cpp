#include "snapshot_builder.h"

#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <sys/mman.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "snapshot_encoder.h"

namespace heapdrift::test {

using format::Section;

Payload& Payload::raw(const void* data, size_t len) {
  auto* p = static_cast<const uint8_t*>(data);
  bytes.insert(bytes.end(), p, p + len);
  return *this;
}

Payload& Payload::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  return raw(s.data(), s.size());
}

Payload& Payload::kv(const KeyValues& kv) {
  u32(static_cast<uint32_t>(kv.size()));
  for (const auto& [k, v] : kv) str(k).u64(v);
  return *this;
}

std::vector<uint8_t> encode_process(const ProcessInfo& p) {
  Payload out;
  out.u32(p.pid).u32(p.ppid).u32(p.sequence).u32(static_cast<uint32_t>(p.trigger));
  out.u64(p.wall_ns).u64(p.mono_ns).u64(p.start_wall_ns).u64(p.start_mono_ns).u64(p.sample_rate);
  out.u32(p.max_depth).u32(0).str(p.exe).str(p.cmdline);
  return out.bytes;
}

std::vector<uint8_t> encode_stacks(const std::map<uint32_t, Stack>& stacks) {
  Payload out;
  out.u32(static_cast<uint32_t>(stacks.size()));
  for (const auto& [id, s] : stacks) {
    out.u32(s.id).u16(static_cast<uint16_t>(s.frames.size())).u16(s.flags);
    for (uint64_t f : s.frames) out.u64(f);
  }
  return out.bytes;
}

std::vector<uint8_t> encode_frame_methods(const std::map<uint32_t, Stack>& stacks) {
  Payload out;
  uint32_t n = 0;
  for (const auto& [id, s] : stacks) n += !s.methods.empty();
  out.u32(n);
  for (const auto& [id, s] : stacks) {
    if (s.methods.empty()) continue;
    out.u32(s.id).u16(static_cast<uint16_t>(s.methods.size())).u16(0);
    for (uint64_t m : s.methods) out.u64(m);
  }
  return out.bytes;
}

std::vector<uint8_t> with_version(std::vector<uint8_t> bytes, uint32_t version) {
  std::memcpy(bytes.data() + 8, &version, 4);
  const size_t end_section = 16 + 8;
  uint64_t checksum = XXH3_64bits(bytes.data(), bytes.size() - end_section);
  std::memcpy(bytes.data() + bytes.size() - 8, &checksum, 8);
  return bytes;
}

std::vector<uint8_t> encode_samples(const std::vector<Sample>& samples) {
  Payload out;
  out.u64(samples.size());
  for (const Sample& s : samples) {
    out.u64(s.address).u64(s.size).u64(s.alloc_mono_ns).f64(s.weight).u32(s.stack_id).u32(s.tid);
  }
  return out.bytes;
}

std::vector<RawSection> encode_sections(const Snapshot& s) {
  std::vector<RawSection> out;
  auto add = [&](Section tag, std::vector<uint8_t> payload) {
    out.push_back({static_cast<uint32_t>(tag), std::move(payload)});
  };
  add(Section::kProcess, encode_process(s.process));
  add(Section::kCounters, Payload().kv(s.counters).bytes);
  if (s.memory) {
    add(Section::kMemory, Payload().str(s.memory->allocator).kv(s.memory->values).str(s.memory->smaps_rollup).bytes);
  }
  auto put_module = [](Payload& out, const Module& m) {
    out.str(m.path).u64(m.load_bias).u8(static_cast<uint8_t>(m.build_id.size()));
    out.raw(m.build_id.data(), m.build_id.size()).u32(static_cast<uint32_t>(m.segments.size()));
    for (const Segment& g : m.segments) out.u64(g.vaddr).u64(g.memsz).u64(g.offset).u32(g.flags);
  };
  Payload modules;
  modules.u32(static_cast<uint32_t>(s.modules.size()));
  for (const Module& m : s.modules) put_module(modules, m);
  add(Section::kModules, modules.bytes);
  if (!s.unloaded_modules.empty()) {  // as older shims wrote no such section
    Payload unloaded;
    unloaded.u32(static_cast<uint32_t>(s.unloaded_modules.size()));
    for (const UnloadedModule& u : s.unloaded_modules) put_module(unloaded.u64(u.unloaded_mono_ns), u.module);
    add(Section::kUnloadedModules, unloaded.bytes);
  }
  Payload maps;
  maps.u32(static_cast<uint32_t>(s.maps.size()));
  for (const Mapping& m : s.maps) maps.u64(m.start).u64(m.end).u64(m.offset).u32(m.prot).str(m.path);
  add(Section::kMaps, maps.bytes);
  add(Section::kStacks, encode_stacks(s.stacks));
  add(Section::kFrameMethods, encode_frame_methods(s.stacks));
  add(Section::kSamples, encode_samples(s.samples));
  return out;
}

namespace {

// The bytes that `write` puts into a file of its own (in memory).
template <typename Write>
std::vector<uint8_t> bytes_written_by(Write write) {
  int fd = memfd_create("heapdrift-test-snapshot", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error("memfd_create failed");
  write(fd);
  off_t size = lseek(fd, 0, SEEK_END);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (pread(fd, bytes.data(), bytes.size(), 0) != size) throw std::runtime_error("pread failed");
  close(fd);
  return bytes;
}

}  // namespace

std::vector<uint8_t> encode_file(const std::vector<RawSection>& sections, Compression compression) {
  return bytes_written_by([&](int fd) {
    SnapshotCompressor compressor;
    const bool compress = compression == Compression::kZstd;
    if (compress && !compressor.start(zstd())) {
      throw std::runtime_error("SnapshotCompressor::start failed: is libzstd.so.1 there?");
    }
    // 64 KiB buffer: not on the stack
    auto enc = std::make_unique<SnapshotEncoder>(fd, nullptr, compress ? &compressor : nullptr);
    for (const RawSection& s : sections) {
      enc->begin_section(static_cast<Section>(s.tag), s.payload.size());
      enc->bytes(s.payload.data(), s.payload.size());
      enc->end_section();
    }
    if (!enc->finish()) throw std::runtime_error("SnapshotEncoder::finish failed");
  });
}

std::vector<uint8_t> zstd_frame(const std::vector<uint8_t>& bytes) {
  return bytes_written_by([&](int fd) {
    SnapshotCompressor compressor;
    if (!compressor.start(zstd()) || !compressor.write(fd, bytes.data(), bytes.size(), true)) {
      throw std::runtime_error("SnapshotCompressor failed");
    }
  });
}

Snapshot rich_snapshot() {
  Snapshot s;
  ProcessInfo& p = s.process;
  p.pid = 4242;
  p.ppid = 1;
  p.sequence = 17;
  p.trigger = format::Trigger::kOnDemand;
  p.wall_ns = 1'700'000'123'456'789'012ull;
  p.mono_ns = 98'765'432'100ull;
  p.start_wall_ns = 1'700'000'000'000'000'001ull;
  p.start_mono_ns = 12'345'678ull;
  p.sample_rate = 512 * 1024;
  p.max_depth = 64;
  p.exe = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
  p.cmdline = std::string("java\0-Xmx1g\0\0-cp\0app dir/x.jar\0Main\0", 36);
  s.counters = {{"alloc_calls", 123456789}, {"free_calls", 123000000}, {"alloc_bytes", 1ull << 40},
                {"free_bytes", (1ull << 40) - 12345}, {"sampled_allocs", 9999}, {"live_samples", 5},
                {"dropped_samples", 0}, {"dropped_stacks", 1}, {"threads", 37},
                {"shim_bytes", 3 << 20}, {"live_table_bytes", 2 << 20}, {"stack_depot_bytes", 1 << 20},
                {"", std::numeric_limits<uint64_t>::max()}};
  s.memory = MemoryInfo{"glibc",
                        {{"rss_bytes", 734003200}, {"malloc.arena_bytes", 1 << 27}, {"malloc.arena_count", 9}},
                        "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  716800 kB\nPss:  700000 kB\n"};
  s.modules = {
      {"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so", 0x7f0012340000,
       {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
        0x0c, 0x0d, 0x0e, 0xff},
       {{0, 0x1a2b3c, 0, 4}, {0x200000, 0xabcdef, 0x200000, 5}, {0xe00000, 0x1000, 0xdff000, 6}}},
      {"linux-vdso.so.1", 0x7ffc00000000, {}, {}},
      {"", 0, {0x42}, {{1, 2, 3, 7}}},
  };
  s.unloaded_modules = {{{"/opt/app/lib/libplugin.so", 0x7f0020000000, {0x01, 0x02}, {{0, 0x4000, 0, 5}}}, 55'000'000'000ull}};
  s.maps = {{0x55d000000000, 0x55d000021000, 0, format::kProtRead, "/usr/bin/java"},
            {0x7f0012340000, 0x7f0012f00000, 0x200000, format::kProtRead | format::kProtExec,
             "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so"},
            {0x7ffc1000, 0x7ffc2000, 0, format::kProtRead | format::kProtWrite, "[stack]"},
            {0x10000, 0x10000, 0, format::kProtShared, ""}};
  Stack deep{7, format::kStackTruncated | format::kStackFramePointer, {}, {}};
  for (uint64_t i = 0; i < 64; ++i) deep.frames.push_back(0x7f0012345000 + i * 0x111);
  // Two interpreted frames (Method* slots) among three.
  Stack interpreted{9, format::kStackFramePointer | format::kStackInterpreterMethods,
                    {0x7f00dead0010, 0x7f00dead0200, 0x401234}, {0x7f00beef0100, 0, 0xFFFFFFFFFFFFFFFF}};
  s.stacks = {{1, {1, 0, {0x401234}, {}}},
              {7, deep},
              {9, interpreted},
              {0xFFFFFFFF, {0xFFFFFFFF, format::kStackFramePointer, {0, 0xFFFFFFFFFFFFFFFF}, {}}},
              {1000, {1000, 0, {}, {}}}};
  s.samples = {{0x7f00aa000010, 1 << 20, 98'000'000'000ull, 1.0000001, 7, 4243},
               {0x7f00aa100000, 24, 97'000'000'000ull, 21845.666666666668, 1, 4244},
               {0xFFFFFFFFFFFFFFF0, 0xFFFFFFFFFFFFFFFF, 0, 1.0, 0, 0},  // no stack: depot full
               {0x10, 1, 98'765'432'100ull, 524288.5, 0xFFFFFFFF, 0xFFFFFFFF},
               {0x7f00aa200000, 4096, 50, 128.25, 1000, 1},
               {0x7f00aa300000, 64, 60, 2.5, 9, 2}};
  return s;
}

Snapshot small_snapshot() {
  Snapshot s;
  s.process = {4242, 1, 2, format::Trigger::kPeriodic, 2000, 1500, 1000, 500, 4096, 8, "/bin/x", "x"};
  s.counters = {{"live_samples", 2}};
  s.memory = MemoryInfo{"glibc", {{"rss_bytes", 4096}}, "Rss: 4 kB\n"};
  s.modules = {{"/bin/x", 0x1000, {0xab, 0xcd}, {{0, 0x100, 0, 5}}}};
  s.maps = {{0x1000, 0x2000, 0, 5, "/bin/x"}};
  s.stacks = {{3, {3, 0, {0x1010, 0x1020}, {}}}};
  s.samples = {{0x5000, 100, 1200, 40.5, 3, 4242}, {0x6000, 8, 1400, 512.0, 0, 4243}};
  return s;
}

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace heapdrift::test
