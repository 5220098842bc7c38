// cxx_runtime: libheapdrift.so links no C++ runtime, so a C program under it has none
// loaded until it loads C++ code. Here a C program (cxx_host) dlopens a C++ library
// RTLD_LOCAL, as Python loads an extension module: the library's operator new and
// delete bind to the shim's, which must find the runtime that came with the library,
// behave as it does (cxx_plugin checks alignment, nothrow, new_handler, bad_alloc),
// and record the blocks. Then the same through Python and a real C++ extension.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

TEST(cxx_runtime, c_program_gets_no_cxx_runtime_from_the_shim) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({CXX_HOST, CXX_PLUGIN}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe() << "\n" << r.out;
  EXPECT_EQ(ProgramOutput(r.out).number("runtime_before_dlopen"), 0u)
      << "the shim brought a C++ runtime into a C program";
}

TEST(cxx_runtime, cxx_code_loaded_locally_by_a_c_program_is_recorded) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({CXX_HOST, CXX_PLUGIN}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe() << "\n" << r.out;
  ProgramOutput o(r.out);
  EXPECT_EQ(o.number("errors"), 0u) << r.out;

  std::vector<NumberedSnapshot> series;
  ASSERT_NO_THROW(series = read_process_snapshots(rec / std::to_string(r.pid)));
  ASSERT_FALSE(series.empty()) << "no snapshot";
  const heapdrift::Snapshot& last = series.back().snapshot;
  EXPECT_EQ(last.process.trigger, heapdrift::format::Trigger::kExit);
  // Exact mode: each of the nodes left live is a sample of its own size at the site.
  std::vector<std::string> kept = o.all("kept").at(0);
  const uint64_t nodes = parse_number(kept.at(0)), node_size = parse_number(kept.at(1));
  std::vector<heapdrift::Sample> at_site = samples_at(last, site_range(o, "plugin"));
  EXPECT_EQ(at_site.size(), nodes);
  for (const heapdrift::Sample& s : at_site) EXPECT_EQ(s.size, node_size);
}

// C++ exceptions of code a C program loads stay libgcc_s's: libunwind, whose unversioned
// _Unwind_* functions would take their place from the global scope, is no dependency of
// the shim's (preload/libunwind_library.h).
TEST(cxx_runtime, cxx_code_loaded_by_a_c_program_throws_through_libgcc) {
  ScratchDir scratch;
  RunResult r = run_program({CXX_HOST, CXX_PLUGIN}, shim_env(scratch.path() / "rec"), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe() << "\n" << r.out;
  EXPECT_EQ(ProgramOutput(r.out).one("unwinder"), "libgcc_s.so.1");
}

// A module's code in this process: from the start of its first executable segment to
// the end of its last (a module is mapped in one piece, so nothing else lies between).
CodeRange code_of(const heapdrift::Snapshot& s, const std::string& path_part) {
  CodeRange code;
  for (const heapdrift::Module& m : s.modules) {
    if (m.path.find(path_part) == std::string::npos) continue;
    for (const heapdrift::Segment& seg : m.segments) {
      if (!(seg.flags & 1)) continue;
      uint64_t lo = m.load_bias + seg.vaddr, hi = lo + seg.memsz;
      code = code.hi == 0 ? CodeRange{lo, hi} : CodeRange{std::min(code.lo, lo), std::max(code.hi, hi)};
    }
  }
  return code;
}

// The same through a real program: Python imports apt_pkg (python3-apt), a C++
// extension over libapt-pkg, RTLD_LOCAL. Its output must be what it prints without the
// shim, its C++ errors must reach Python, and its allocations must be recorded.
TEST(cxx_runtime, python_cxx_extension_runs_and_is_recorded) {
  const char* script =
      "import apt_pkg\n"
      "apt_pkg.init_config()\n"
      "for i in range(2000): apt_pkg.config.set('Heapdrift::Test::K%d' % i, 'v%d' % i)\n"
      "print('value', apt_pkg.config.find('Heapdrift::Test::K1999'))\n"
      "print('keys', len(apt_pkg.config.list('Heapdrift::Test')))\n"
      "try:\n"
      "    apt_pkg.TagFile('/nonexistent/heapdrift')\n"
      "except apt_pkg.Error:\n"
      "    print('error', 'raised')\n";
  ScratchDir scratch;
  RunResult plain = run_program({"/usr/bin/python3", "-c", script}, {}, 60, scratch.path());
  ASSERT_TRUE(plain.exited_with(0)) << plain.describe();
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({"/usr/bin/python3", "-c", script}, shim_env(rec), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.out, plain.out);
  EXPECT_EQ(r.out, "value v1999\nkeys 2000\nerror raised\n");

  std::vector<NumberedSnapshot> series;
  ASSERT_NO_THROW(series = read_process_snapshots(rec / std::to_string(r.pid)));
  ASSERT_FALSE(series.empty()) << "no snapshot";
  const heapdrift::Snapshot& last = series.back().snapshot;
  CodeRange apt = code_of(last, "libapt-pkg");
  ASSERT_NE(apt.hi, 0u) << "libapt-pkg is not among the snapshot's modules";
  // The 2,000 configuration entries stay live, each allocated by libapt-pkg's C++.
  size_t from_apt = samples_at(last, apt).size();
  EXPECT_GE(from_apt, 2000u);
}

}  // namespace
}  // namespace shimtest
