// bad_config: with a malformed HEAPDRIFT_* value, or an output directory that cannot
// be created, the shim says so in exactly one `heapdrift:` line on stderr and the
// program (bad_config_program: threads, realloc, a fork) runs on unprofiled with its
// normal output and exit status, leaving no snapshot directory behind.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "shim_run.h"
#include "shim_snapshots.h"

namespace shimtest {
namespace {

namespace fs = std::filesystem;

const char* const kExpectedOutput = "thread made 1000 strings\nchild exited with 7\n";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    out.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return out;
}

// Runs the program with `extra` on top of a valid configuration writing into `out`.
RunResult run_misconfigured(const ScratchDir& scratch, const fs::path& out, const EnvVars& extra) {
  return run_program({BAD_CONFIG_PROGRAM}, shim_env(out, extra), 30, scratch.path());
}

void expect_ran_unprofiled(const RunResult& r, const std::string& must_name) {
  EXPECT_TRUE(r.exited_with(3)) << r.describe();
  EXPECT_EQ(r.out, kExpectedOutput);
  std::vector<std::string> err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << "stderr: [" << r.err << "]";
  EXPECT_TRUE(err[0].starts_with("heapdrift: ")) << err[0];
  EXPECT_NE(err[0].find(must_name), std::string::npos) << err[0] << " does not name " << must_name;
}

TEST(bad_config, program_runs_without_the_shim_as_reference) {
  ScratchDir scratch;
  RunResult r = run_program({BAD_CONFIG_PROGRAM}, {}, 30, scratch.path());
  EXPECT_TRUE(r.exited_with(3)) << r.describe();
  EXPECT_EQ(r.out, kExpectedOutput);
  EXPECT_EQ(r.err, "");
}

TEST(bad_config, malformed_values_are_reported_once_and_the_program_runs_unprofiled) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"HEAPDRIFT_SAMPLE_RATE", "12Q"},   {"HEAPDRIFT_SAMPLE_RATE", "0"},
      {"HEAPDRIFT_INTERVAL", "5x"},       {"HEAPDRIFT_MAX_DEPTH", "0"},
      {"HEAPDRIFT_MAX_DEPTH", "257"},     {"HEAPDRIFT_UNWIND", "dwarf"},
      {"HEAPDRIFT_SEED", "-1"},           {"HEAPDRIFT_MAX_SNAPSHOTS", "2"},
      {"HEAPDRIFT_MAX_LIVE_SAMPLES", ""}, {"HEAPDRIFT_MAX_STACKS", "many"},
      {"HEAPDRIFT_COMPRESS", "2"},
  };
  for (const auto& [name, value] : bad) {
    SCOPED_TRACE(name + "=" + value);
    ScratchDir scratch;
    const fs::path out = scratch.path() / "rec";
    RunResult r = run_misconfigured(scratch, out, {{name, value}});
    expect_ran_unprofiled(r, name);
    EXPECT_FALSE(fs::exists(out)) << "a recording directory was created";
  }
}

TEST(bad_config, output_under_a_regular_file_is_reported_once_and_the_program_runs_unprofiled) {
  ScratchDir scratch;
  const fs::path file = scratch.path() / "a_file";
  std::ofstream(file) << "not a directory\n";
  const fs::path out = file / "rec";
  RunResult r = run_misconfigured(scratch, out, {});
  expect_ran_unprofiled(r, out.string());
  EXPECT_TRUE(fs::is_regular_file(file));
  EXPECT_EQ(std::ifstream(file).rdbuf()->sgetc(), 'n') << "the file was touched";
}

}  // namespace
}  // namespace shimtest
