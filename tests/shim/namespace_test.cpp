// namespace: namespace changes that the kernel refuses a process with more than one
// thread work under the shim (namespace_program), and the writer thread comes back
// after them: it answers a request through the FIFO, and the exit snapshot is written.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

// Whether this machine lets a process with one thread make a user namespace at all.
bool user_namespaces_available() {
  pid_t child = fork();
  if (child == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
  int status = 0;
  return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void check_change(const std::string& mode) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({NAMESPACE_PROGRAM, mode}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  EXPECT_EQ(out.all("change").at(0), (std::vector<std::string>{"0", "0"})) << r.describe();
  if (mode == "fork_user") {
    const std::vector<std::string> child = out.all("child").at(0);
    EXPECT_EQ(child.at(1), "0") << "the child's unshare failed";
    std::vector<NumberedSnapshot> series = read_process_snapshots(rec / child.at(0));
    ASSERT_FALSE(series.empty());
    EXPECT_EQ(series.back().snapshot.process.trigger, heapdrift::format::Trigger::kExit);
    return;
  }
  const uint64_t asked = out.number("snapshot");
  ASSERT_GT(asked, 0u) << "no writer thread answered after the change";
  std::vector<NumberedSnapshot> series = read_process_snapshots(rec / std::to_string(r.pid));
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].number, asked);
  EXPECT_EQ(series[0].snapshot.process.trigger, heapdrift::format::Trigger::kOnDemand);
  EXPECT_EQ(series[1].snapshot.process.trigger, heapdrift::format::Trigger::kExit);
}

TEST(namespace_change, a_new_user_namespace) {
  if (!user_namespaces_available()) GTEST_SKIP() << "no user namespaces here";
  check_change("user");
}

TEST(namespace_change, a_new_user_namespace_in_a_fork_child) {
  if (!user_namespaces_available()) GTEST_SKIP() << "no user namespaces here";
  check_change("fork_user");
}

// A thread cancelled while the shim pauses the writer for it (joining it is a
// cancellation point; unshare is not) gets its answer, and the writer goes on.
TEST(namespace_change, a_thread_with_a_cancellation_pending) {
  ScratchDir scratch;
  const fs::path rec = scratch.path() / "rec";
  RunResult r = run_program({NAMESPACE_PROGRAM, "cancelled"}, shim_env(rec), 30, scratch.path());
  ASSERT_TRUE(r.exited_with(0)) << r.describe();
  ProgramOutput out(r.out);
  EXPECT_EQ(out.number("returned"), 1u) << "cancelled inside unshare";
  EXPECT_EQ(out.all("change").at(0), (std::vector<std::string>{"-1", "Invalid", "argument"}));
  EXPECT_GT(out.number("snapshot"), 0u) << "no writer thread answered after the unshare";
}

// The writer thread keeps a root of its own (CLONE_FS), which the kernel asks of a
// process joining a mount namespace; where a seccomp filter refuses it that, the
// writer steps aside as for a user namespace.
TEST(namespace_change, joining_a_mount_namespace) {
  if (geteuid() != 0) GTEST_SKIP() << "setns into a mount namespace takes root";
  check_change("mount");
}

}  // namespace
}  // namespace shimtest
