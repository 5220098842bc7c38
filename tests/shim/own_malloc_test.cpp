// own_malloc: whose malloc the program calls. An allocator linked into the program comes
// before the shim in symbol lookup, so nothing the program allocates reaches the hooks:
// the shim says so once and writes allocator "own". A program whose PLT entry is
// malloc's address (non-PIE, malloc's address taken, as node is) is not such a program.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

TEST(own_malloc, an_allocator_linked_into_the_program_is_named_once) {
  ScratchDir scratch;
  RunResult r = run_program({STATIC_ALLOCATOR_PROGRAM}, shim_env(scratch.path() / "rec", {}), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_TRUE(r.out.starts_with("ok ")) << r.out;
  EXPECT_TRUE(r.err.starts_with("heapdrift: malloc is ")) << r.err;
  EXPECT_NE(r.err.find("static_allocator_program"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  // The exit snapshot says whose malloc it was, for the analysis.
  std::vector<NumberedSnapshot> snapshots = read_process_snapshots(scratch.path() / "rec" / std::to_string(r.pid));
  ASSERT_FALSE(snapshots.empty());
  ASSERT_TRUE(snapshots.back().snapshot.memory.has_value());
  EXPECT_EQ(snapshots.back().snapshot.memory->allocator, "own");
}

TEST(own_malloc, a_plt_entry_for_mallocs_address_is_not_another_malloc) {
  ScratchDir scratch;
  RunResult r = run_program({MALLOC_ADDRESS_PROGRAM}, shim_env(scratch.path() / "rec", {}), 60, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_EQ(r.err, "");
  std::vector<NumberedSnapshot> snapshots = read_process_snapshots(scratch.path() / "rec" / std::to_string(r.pid));
  ASSERT_FALSE(snapshots.empty());
  ASSERT_TRUE(snapshots.back().snapshot.memory.has_value());
  EXPECT_EQ(snapshots.back().snapshot.memory->allocator, "glibc");
  EXPECT_GE(counter(snapshots.back().snapshot, "alloc_calls"), 64u) << "the calls through the pointer reached the shim";
}

}  // namespace
}  // namespace shimtest
