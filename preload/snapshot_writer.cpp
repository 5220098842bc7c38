#include "snapshot_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "clock.h"
#include "frame_rules.h"
#include "internal_alloc.h"
#include "java_heap.h"
#include "jvm_counters.h"
#include "memory_stats.h"
#include "module_map.h"
#include "snapshot_encoder.h"

namespace heapdrift {
namespace {

using KeyValues = std::vector<std::pair<std::string, uint64_t>>;

void step(std::atomic<uint64_t>* progress) {
  if (progress) progress->fetch_add(1, std::memory_order_relaxed);
}

std::vector<LiveEntry> copy_live_entries(LiveTable& live, std::atomic<uint64_t>* progress) {
  std::vector<LiveEntry> entries;
  std::vector<LiveEntry> shard(64);
  for (unsigned i = 0; i < LiveTable::kShards; ++i) {
    size_t n;
    while ((n = live.copy_shard(i, shard.data(), shard.size())) > shard.size()) shard.resize(n * 2);
    entries.insert(entries.end(), shard.begin(), shard.begin() + static_cast<ptrdiff_t>(n));
    step(progress);
  }
  return entries;
}

uint64_t kv_size(const KeyValues& kv) {
  uint64_t n = 4;
  for (const auto& [key, value] : kv) n += SnapshotEncoder::str_size(key.size()) + 8;
  return n;
}

void put_kv(SnapshotEncoder& out, const KeyValues& kv) {
  out.u32(static_cast<uint32_t>(kv.size()));
  for (const auto& [key, value] : kv) {
    out.str(key.data(), key.size());
    out.u64(value);
  }
}

uint64_t module_size(const Module& m) {
  return SnapshotEncoder::str_size(m.path.size()) + 8 + 1 + m.build_id.size() + 4 + m.segments.size() * 28;
}

void put_module(SnapshotEncoder& out, const Module& m) {
  out.str(m.path.data(), m.path.size());
  out.u64(m.load_bias);
  out.u8(static_cast<uint8_t>(m.build_id.size()));
  out.bytes(m.build_id.data(), m.build_id.size());
  out.u32(static_cast<uint32_t>(m.segments.size()));
  for (const ModuleSegment& s : m.segments) {
    out.u64(s.vaddr);
    out.u64(s.memsz);
    out.u64(s.offset);
    out.u32(s.flags);
  }
}

struct Contents {
  ProcessIdentity process;
  uint32_t sequence;
  format::Trigger trigger;
  uint64_t wall_ns, mono_ns;
  std::string exe, cmdline;
  KeyValues counters;
  MemoryStats memory;
  std::vector<Module> modules;
  std::vector<UnloadedModule> unloaded_modules;
  std::vector<Mapping> maps;
  std::vector<const StackRecord*> stacks;
  std::vector<LiveEntry> samples;
};

void encode(SnapshotEncoder& out, const Contents& c, const Config& config, const Sampler& sampler) {
  out.begin_section(format::Section::kProcess, 4 * 4 + 8 * 5 + 4 * 2 + SnapshotEncoder::str_size(c.exe.size()) +
                                                   SnapshotEncoder::str_size(c.cmdline.size()));
  out.u32(c.process.pid);
  out.u32(c.process.ppid);
  out.u32(c.sequence);
  out.u32(static_cast<uint32_t>(c.trigger));
  out.u64(c.wall_ns);
  out.u64(c.mono_ns);
  out.u64(c.process.start_wall_ns);
  out.u64(c.process.start_mono_ns);
  out.u64(config.sample_rate);
  out.u32(config.max_depth);
  out.u32(0);
  out.str(c.exe.data(), c.exe.size());
  out.str(c.cmdline.data(), c.cmdline.size());
  out.end_section();

  out.begin_section(format::Section::kCounters, kv_size(c.counters));
  put_kv(out, c.counters);
  out.end_section();

  // The section's last field, the text of smaps_rollup, stays empty: the RSS split is in
  // the kv now (memory_stats.cpp says why); readers still take it from older files.
  out.begin_section(format::Section::kMemory, SnapshotEncoder::str_size(c.memory.allocator.size()) +
                                                  kv_size(c.memory.values) + SnapshotEncoder::str_size(size_t{0}));
  out.str(c.memory.allocator.data(), c.memory.allocator.size());
  put_kv(out, c.memory.values);
  out.str("", 0);
  out.end_section();

  uint64_t size = 4;
  for (const Module& m : c.modules) size += module_size(m);
  out.begin_section(format::Section::kModules, size);
  out.u32(static_cast<uint32_t>(c.modules.size()));
  for (const Module& m : c.modules) put_module(out, m);
  out.end_section();

  size = 4;
  for (const UnloadedModule& u : c.unloaded_modules) size += 8 + module_size(u.module);
  out.begin_section(format::Section::kUnloadedModules, size);
  out.u32(static_cast<uint32_t>(c.unloaded_modules.size()));
  for (const UnloadedModule& u : c.unloaded_modules) {
    out.u64(u.unloaded_mono_ns);
    put_module(out, u.module);
  }
  out.end_section();

  size = 4;
  for (const Mapping& m : c.maps) size += 8 * 3 + 4 + SnapshotEncoder::str_size(m.path.size());
  out.begin_section(format::Section::kMaps, size);
  out.u32(static_cast<uint32_t>(c.maps.size()));
  for (const Mapping& m : c.maps) {
    out.u64(m.start);
    out.u64(m.end);
    out.u64(m.offset);
    out.u32(m.prot);
    out.str(m.path.data(), m.path.size());
  }
  out.end_section();

  size = 4;
  for (const StackRecord* s : c.stacks) size += 8 + 8 * uint64_t{s->depth};
  out.begin_section(format::Section::kStacks, size);
  out.u32(static_cast<uint32_t>(c.stacks.size()));
  for (const StackRecord* s : c.stacks) {
    out.u32(s->id);
    out.u16(s->depth);
    out.u16(s->flags);
    out.bytes(s->frames, s->depth * sizeof(uintptr_t));
  }
  out.end_section();

  // Interpreted frames' Method* slots, parallel to their stacks' frames.
  size = 4;
  uint32_t with_methods = 0;
  for (const StackRecord* s : c.stacks) {
    if (!s->methods()) continue;
    size += 8 + 8 * uint64_t{s->depth};
    ++with_methods;
  }
  out.begin_section(format::Section::kFrameMethods, size);
  out.u32(with_methods);
  for (const StackRecord* s : c.stacks) {
    if (!s->methods()) continue;
    out.u32(s->id);
    out.u16(s->depth);
    out.u16(0);
    out.bytes(s->methods(), s->depth * sizeof(uintptr_t));
  }
  out.end_section();

  out.begin_section(format::Section::kSamples, 8 + c.samples.size() * 40);
  out.u64(c.samples.size());
  for (const LiveEntry& e : c.samples) {
    out.u64(e.address);
    out.u64(e.size);
    out.u64(e.alloc_ns);
    out.f64(sampler.weight(e.size));
    out.u32(e.stack_id);
    out.u32(e.tid);
  }
  out.end_section();
}

}  // namespace

std::string snapshot_path(const std::string& dir, uint32_t sequence, bool temporary) {
  char name[64];
  snprintf(name, sizeof(name), temporary ? "/.%s%06u.tmp" : "/%s%06u%s", format::kSnapshotPrefix,
           sequence, format::kSnapshotSuffix);
  return dir + name;
}

bool write_snapshot(Recorder& recorder, MemoryStatsReader& memory, const ProcessIdentity& process,
                    const std::string& dir, uint32_t sequence, format::Trigger trigger, uint64_t* mono_ns,
                    std::atomic<uint64_t>* progress) {
  Contents c;
  c.process = process;
  c.sequence = sequence;
  c.trigger = trigger;
  c.samples = copy_live_entries(recorder.live(), progress);
  c.wall_ns = clock_ns(CLOCK_REALTIME);
  c.mono_ns = clock_ns(CLOCK_MONOTONIC);
  std::sort(c.samples.begin(), c.samples.end(),
            [](const LiveEntry& a, const LiveEntry& b) { return a.alloc_ns < b.alloc_ns; });

  std::vector<uint32_t> ids;
  ids.reserve(c.samples.size());
  for (const LiveEntry& e : c.samples) ids.push_back(e.stack_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (uint32_t id : ids) {
    if (const StackRecord* s = recorder.stacks().get(id)) c.stacks.push_back(s);
  }

  Totals totals = recorder.totals();
  c.counters = {
      {"alloc_calls", totals.alloc_calls},
      {"free_calls", totals.free_calls},
      {"sampled_allocs", totals.sampled},
      {"live_samples", c.samples.size()},
      {"dropped_samples", recorder.live().dropped()},
      {"dropped_stacks", recorder.stacks().dropped()},
      {"dropped_unloaded_modules", recorder.unloaded_modules().dropped()},
      {"threads", recorder.threads_seen()},
      {"shim_bytes", internal_mapped_bytes() + PageFilter::kBytes + FrameRules::bytes()},  // both in .bss
      {"live_table_bytes", recorder.live().mapped_bytes()},
      {"stack_depot_bytes", recorder.stacks().mapped_bytes()},
  };
  if (recorder.config().unwind == UnwindMode::kFramePointer) c.counters.push_back({"frame_pointers_only", 1});
  if (recorder.counts_bytes()) {
    c.counters.insert(c.counters.begin() + 2, {{"alloc_bytes", totals.alloc_bytes}, {"free_bytes", totals.free_bytes}});
  }
  step(progress);
  c.memory = memory.read(trigger == format::Trigger::kExit);
  step(progress);
  c.modules = loaded_modules();
  c.unloaded_modules = recorder.unloaded_modules().copy();
  step(progress);
  c.maps = memory_mappings();
  add_jvm_counters(c.maps, &c.memory);
  add_java_heap_resident(c.modules, c.maps, &c.memory);
  step(progress);
  c.exe = executable_path();
  read_small_file("/proc/self/cmdline", &c.cmdline);
  if (!c.cmdline.empty() && c.cmdline.back() == '\0') c.cmdline.pop_back();

  std::string final_path = snapshot_path(dir, sequence);
  std::string temp_path = snapshot_path(dir, sequence, true);
  int fd = open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok;
  {
    SnapshotCompressor compressor;
    bool compress = recorder.config().compress && compressor.start(loaded_zstd());
    SnapshotEncoder out(fd, progress, compress ? &compressor : nullptr);
    encode(out, c, recorder.config(), recorder.sampler());
    ok = out.finish();
  }
  ok = close(fd) == 0 && ok;
  // Never replace a snapshot: numbers are not reused, even across an exec. By its system
  // call: glibc's renameat2 is 2.28's (glibc_floor.h).
  if (!ok || syscall(SYS_renameat2, AT_FDCWD, temp_path.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0) {
    int error = errno;  // the caller reports it
    unlink(temp_path.c_str());
    errno = error;
    return false;
  }
  if (mono_ns) *mono_ns = c.mono_ns;
  return true;
}

}  // namespace heapdrift
