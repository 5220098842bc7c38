// The jitdump export (agent option jitdump=1) in a real JVM: a file perf's
// specification describes (header, one JIT_CODE_LOAD per piece of code with its name
// and bytes, a closing record) holding the same code as the JIT log; and, where Linux
// perf can record here, `perf inject --jit` turning it into names in `perf report`.
#include <gtest/gtest.h>

#include <elf.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "jit_log_reader.h"
#include "jitdump_writer.h"
#include "jvm_support.h"

namespace {

namespace fs = std::filesystem;
using namespace perfmaptest;
namespace jitdump = heapdrift::perfmap::jitdump;

struct CodeLoad {
  uint64_t time_ns, address, size, index;
  std::string name;
};

struct Dump {
  uint32_t magic = 0, version = 0, header_size = 0, mach = 0, pid = 0;
  std::vector<CodeLoad> loads;
  bool closed = false;
  uint64_t close_ns = 0;
  std::string problem;  // how the file breaks the format, "" when it does not
};

template <class T>
T load(const std::vector<uint8_t>& b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

Dump parse(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Dump d;
  if (b.size() < jitdump::kHeaderSize) {
    d.problem = "shorter than its header";
    return d;
  }
  d.magic = load<uint32_t>(b, 0);
  d.version = load<uint32_t>(b, 4);
  d.header_size = load<uint32_t>(b, 8);
  d.mach = load<uint32_t>(b, 12);
  d.pid = load<uint32_t>(b, 20);
  uint64_t previous_time = 0;
  for (size_t at = d.header_size; at < b.size();) {
    if (d.closed) return d.problem = "a record after the close record", d;
    if (b.size() - at < jitdump::kRecordHeaderSize) return d.problem = "a torn record header", d;
    uint32_t id = load<uint32_t>(b, at), total = load<uint32_t>(b, at + 4);
    uint64_t time = load<uint64_t>(b, at + 8);
    if (total < jitdump::kRecordHeaderSize || total > b.size() - at) return d.problem = "a bad record size", d;
    if (time < previous_time) return d.problem = "timestamps go back", d;
    previous_time = time;
    if (id == jitdump::kCodeLoad) {
      CodeLoad c;
      c.time_ns = time;
      uint64_t vma = load<uint64_t>(b, at + 24);
      c.address = load<uint64_t>(b, at + 32);
      c.size = load<uint64_t>(b, at + 40);
      c.index = load<uint64_t>(b, at + 48);
      if (vma != c.address) return d.problem = "vma differs from code_addr", d;
      const char* name = reinterpret_cast<const char*>(b.data() + at + jitdump::kCodeLoadFixedSize);
      c.name.assign(name, strnlen(name, total - jitdump::kCodeLoadFixedSize));
      if (jitdump::kCodeLoadFixedSize + c.name.size() + 1 + c.size != total) {
        return d.problem = "record size is not header + name + code for " + c.name, d;
      }
      d.loads.push_back(c);
    } else if (id == jitdump::kCodeClose) {
      d.closed = true;
      d.close_ns = time;
    }
    at += total;
  }
  return d;
}

TEST(Jitdump, HoldsEveryPieceOfCodeOfTheLogWithItsBytes) {
  shimtest::ScratchDir scratch;
  fs::path out = scratch.path() / "out";
  auto r = shimtest::run_program({java(), "-agentpath:" + agent() + "=jitdump=1,perfmap=0", "-cp", classes(),
                                  "JitWorkload", classes(), "1"},
                                 {{"HEAPDRIFT_OUTPUT", out.string()}}, 120, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  fs::path dir = process_dir(out);
  pid_t pid = pid_of(dir);
  Dump d = parse(dir / ("jit-" + std::to_string(pid) + ".dump"));
  ASSERT_EQ(d.problem, "");
  EXPECT_EQ(d.magic, 0x4A695444u);
  EXPECT_EQ(d.version, 1u);
  EXPECT_EQ(d.header_size, 40u);
  EXPECT_EQ(d.mach, uint32_t{EM_X86_64});
  EXPECT_EQ(d.pid, static_cast<uint32_t>(pid));
  EXPECT_TRUE(d.closed) << "no close record at VMDeath";
  for (size_t i = 0; i < d.loads.size(); ++i) EXPECT_EQ(d.loads[i].index, i);

  // Every code range of the log is in the dump, under the perf map's name (up to
  // VMDeath, where the dump is closed: compiler threads may still post code after it).
  auto log = heapdrift::perfmap::read_jit_log(dir / "jit.log");
  std::set<std::pair<uint64_t, uint64_t>> dumped;
  std::set<std::string> names;
  for (const CodeLoad& c : d.loads) {
    dumped.insert({c.address, c.size});
    names.insert(c.name);
  }
  size_t checked = 0;
  for (const auto& l : log.loads) {
    if (l.time_ns > d.close_ns) continue;
    EXPECT_TRUE(dumped.count({l.address, l.size})) << std::hex << l.address;
    ++checked;
  }
  for (const auto& g : log.dynamic_code) {
    if (g.time_ns > d.close_ns) continue;
    EXPECT_TRUE(dumped.count({g.address, g.size})) << g.name;
    ++checked;
  }
  EXPECT_GT(checked, 100u);
  EXPECT_TRUE(names.count("Interpreter"));
  bool workload_method = false;
  for (const std::string& n : names) workload_method |= n.rfind("JitWorkload", 0) == 0 && n.find('(') != std::string::npos;
  EXPECT_TRUE(workload_method) << "no compiled JitWorkload method, with its signature";
}

// The file is for perf: recorded with `perf record -k 1`, `perf inject --jit` makes
// ELF images of the code, and `perf report` names the JIT code it sampled.
TEST(Jitdump, PerfInjectNamesTheJitCode) {
  const std::string perf = "/usr/bin/perf";
  if (!fs::exists(perf)) GTEST_SKIP() << "Linux perf (linux-perf) is not installed";
  shimtest::ScratchDir scratch;
  // perf keeps its build-id cache and the ELF images of JIT code under $HOME/.debug.
  const shimtest::EnvVars home = {{"HOME", scratch.path().string()}};
  fs::path out = scratch.path() / "out";
  fs::path data = scratch.path() / "perf.data", injected = scratch.path() / "perf.jit.data";
  shimtest::EnvVars env = home;
  env.push_back({"HEAPDRIFT_OUTPUT", out.string()});
  auto r = shimtest::run_program({perf, "record", "-k", "1", "-e", "cpu-clock", "-o", data.string(), "--", java(),
                                  "-agentpath:" + agent() + "=jitdump=1,perfmap=0", "-cp", classes(), "JitWorkload",
                                  classes(), "1"},
                                 env, 180, scratch.path());
  if (!r.exited_with(0) && r.out.find("JitWorkload") == std::string::npos &&
      r.err.find("perf_event_paranoid") != std::string::npos) {
    GTEST_SKIP() << "perf may not record here: " << r.err.substr(0, 300);
  }
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  auto inject = shimtest::run_program({perf, "inject", "--jit", "-i", data.string(), "-o", injected.string()}, home,
                                      180, scratch.path());
  ASSERT_TRUE(inject.exited_with(0)) << inject.describe();
  auto report = shimtest::run_program(
      {perf, "report", "-i", injected.string(), "--stdio", "--sort", "dso,sym"}, home, 180, scratch.path());
  ASSERT_TRUE(report.exited_with(0)) << report.describe();
  bool named = false;
  std::istringstream lines(report.out);
  for (std::string line; std::getline(lines, line);) {
    named |= line.find("jitted-") != std::string::npos &&
             (line.find("JitWorkload") != std::string::npos || line.find("Interpreter") != std::string::npos);
  }
  EXPECT_TRUE(named) << report.out.substr(0, 3000);
}

}  // namespace
