// cxx_runtime: libheapdrift.so links no C++ runtime, so a C program under it has none
// loaded until it loads C++ code. Here a C program (cxx_host) dlopens a C++ library
// RTLD_LOCAL, as Python loads an extension module: the library's operator new and
// delete bind to the shim's, which must find the runtime that came with the library,
// behave as it does (cxx_plugin checks alignment, nothrow, new_handler, bad_alloc),
// and record the blocks.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace shimtest
