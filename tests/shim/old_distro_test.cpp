// old_distro: the shim built here records a program of an older distribution, as a
// container image's would be: Debian 11 (glibc 2.31, 2.36 here), made by
// scripts/old-distro-root. Its perl leaks for 3 s under the shim, inside that root
// (chroot, with /proc mounted in a mount namespace of the test's own), and `heapdrift
// leaks --sysroot` reads the recording here. Debian 11's minimal system has no
// libunwind: the shim must run on by frame pointers, say so once, and the recording say
// so to `leaks`; with Debian 11's libunwind (1.3) put in its way by LD_LIBRARY_PATH, it
// unwinds through perl's frames. Debian 11's libzstd serves the shim's compressor. And
// glibc 2.31 has no lock-free answer to "is this address in a loaded object?": a library
// constructor that forks while another thread samples must not hang (fork_plugin,
// jit_sampler).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kRoot = OLD_DISTRO_ROOT;
constexpr const char* kLeak =
    "my @kept; for my $i (1..1500) { push @kept, ('k' x 4096) . $i; select(undef, undef, undef, 0.002) }"
    " print scalar(@kept), qq(\\n)";

// A directory inside the old root, for the shim and the recording; removed once the
// recording is read (what the test checks is in OldDistroRun).
class DirInRoot {
 public:
  DirInRoot() : inside_("/tmp/heapdrift-test-" + std::to_string(getpid())) {
    fs::remove_all(outside());
    fs::create_directories(outside());
  }
  ~DirInRoot() { fs::remove_all(outside()); }
  fs::path outside() const { return kRoot / inside_.relative_path(); }
  const fs::path& inside() const { return inside_; }

 private:
  fs::path inside_;
};

struct OldDistroRun {
  RunResult perl;
  json leaks;
  std::string leaks_error;
  size_t snapshots = 0, compressed = 0;  // files, and those that are zstd frames
};

void count_snapshots(const fs::path& recording, OldDistroRun* run) {
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(recording)) {
    if (e.path().extension() != ".hds") continue;
    std::ifstream file(e.path(), std::ios::binary);
    std::string magic(4, '\0');
    file.read(magic.data(), 4);
    ++run->snapshots;
    run->compressed += magic == "\x28\xb5\x2f\xfd";
  }
}

// perl ARGS in the old root under the shim, recording into dir/rec, with `env`
// (NAME=value) inside the root.
RunResult run_perl_in_old_root(const DirInRoot& dir, const ScratchDir& scratch, const std::vector<std::string>& env,
                               const std::vector<std::string>& perl_args) {
  fs::copy_file(shim_library(), dir.outside() / "libheapdrift.so");
  std::vector<std::string> argv = {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                   "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" /usr/bin/env \"$@\"",
                                   kRoot.string(),
                                   "LD_PRELOAD=" + (dir.inside() / "libheapdrift.so").string(),
                                   "HEAPDRIFT_OUTPUT=" + (dir.inside() / "rec").string()};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back("/usr/bin/perl");
  argv.insert(argv.end(), perl_args.begin(), perl_args.end());
  return run_program(argv, {}, 60, scratch.path());
}

// perl -e kLeak in the old root under the shim, with `env` inside it.
OldDistroRun run_leak_in_old_root(const ScratchDir& scratch, std::vector<std::string> env) {
  DirInRoot dir;
  env.insert(env.begin(), {"HEAPDRIFT_SAMPLE_RATE=16K", "HEAPDRIFT_INTERVAL=250ms"});
  OldDistroRun run;
  run.perl = run_perl_in_old_root(dir, scratch, env, {"-e", kLeak});
  RunResult l = run_program({HEAPDRIFT_BIN, "leaks", (dir.outside() / "rec").string(), "--sysroot", kRoot.string(),
                             "--json"},
                            {}, 120, scratch.path());
  run.leaks_error = l.describe();
  if (l.exited_with(0)) run.leaks = json::parse(l.out, nullptr, false);
  count_snapshots(dir.outside() / "rec", &run);
  return run;
}

class OldDistro : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "chroot and mount take root";
    if (!fs::exists(kRoot / ".complete")) {
      GTEST_SKIP() << "no Debian 11 root at " << kRoot << ": scripts/old-distro-root did not make it";
    }
  }
  ScratchDir scratch_;
};

const std::string kNoLibunwind =
    "heapdrift: libunwind.so.8 cannot be loaded: stacks are walked by frame pointers only, and end at code built "
    "without them (install libunwind8, or libunwind on Red Hat systems)\n";

TEST_F(OldDistro, WithoutLibunwindTheProgramRunsAndItsLeakIsFoundByFramePointers) {
  OldDistroRun run = run_leak_in_old_root(scratch_, {});
  ASSERT_TRUE(run.perl.exited_with(0)) << run.perl.describe();
  EXPECT_EQ(run.perl.out, "1500\n");
  EXPECT_EQ(run.perl.err, kNoLibunwind);
  // Debian 11's libzstd (1.4.8) compresses them.
  EXPECT_GE(run.snapshots, 3u);
  EXPECT_EQ(run.compressed, run.snapshots);
  ASSERT_TRUE(run.leaks.is_object()) << run.leaks_error;
  EXPECT_EQ(run.leaks["frame_pointers_only"], true);
  const json suspects = run.leaks["suspects"];
  ASSERT_FALSE(suspects.empty()) << run.leaks.dump(1);
  const json frame = suspects[0]["frames"][0];
  EXPECT_EQ(frame["module"], "perl") << run.leaks.dump(1);
  EXPECT_TRUE(frame["function"].get<std::string>().rfind("Perl_", 0) == 0) << run.leaks.dump(1);
}

TEST_F(OldDistro, WithItsLibunwindTheStacksGoThroughPerl) {
  OldDistroRun run = run_leak_in_old_root(scratch_, {"LD_LIBRARY_PATH=/opt/libunwind8/usr/lib/x86_64-linux-gnu"});
  ASSERT_TRUE(run.perl.exited_with(0)) << run.perl.describe();
  EXPECT_EQ(run.perl.out, "1500\n");
  EXPECT_EQ(run.perl.err, "");
  ASSERT_TRUE(run.leaks.is_object()) << run.leaks_error;
  EXPECT_EQ(run.leaks["frame_pointers_only"], false);
  const json suspects = run.leaks["suspects"];
  ASSERT_FALSE(suspects.empty()) << run.leaks.dump(1);
  const json frames = suspects[0]["frames"];
  size_t in_perl = 0;
  for (const json& f : frames) in_perl += f["module"] == "perl";
  EXPECT_GE(in_perl, 4u) << run.leaks.dump(1);
}

// A library constructor that forks (fork_plugin: the loader's lock is held) while
// another thread samples through code outside every loaded object (jit_sampler), which
// the shim tells by asking the loader, inside the unwind gate that the fork's handler
// closes and waits for. glibc 2.31 has no _dl_find_object, whose answer takes no lock.
TEST_F(OldDistro, ALibraryConstructorForksWhileAThreadSamplesThroughJitCode) {
  DirInRoot dir;
  for (const char* library : {JIT_SAMPLER, FORK_PLUGIN}) {
    fs::copy_file(library, dir.outside() / fs::path(library).filename());
  }
  const std::string load = "use DynaLoader; for my $l (@ARGV) { DynaLoader::dl_load_file($l, 0) or die "
                           "DynaLoader::dl_error() } print qq(loaded\\n)";
  RunResult perl = run_perl_in_old_root(
      dir, scratch_, {"LD_LIBRARY_PATH=/opt/libunwind8/usr/lib/x86_64-linux-gnu", "HEAPDRIFT_SAMPLE_RATE=1"},
      {"-e", load, (dir.inside() / fs::path(JIT_SAMPLER).filename()).string(),
       (dir.inside() / fs::path(FORK_PLUGIN).filename()).string()});
  ASSERT_TRUE(perl.exited_with(0)) << perl.describe();
  EXPECT_EQ(perl.out, "forked 0\nloaded\n");
}

}  // namespace
}  // namespace shimtest
