// Test-driver side: what a test program printed, and its snapshots read with the real
// reader (heapdrift_reader).
//
// Programs print one fact per line, "<key> <value>...": `pid 123`,
// `site a 0x401000 0x401200` (see programs/site.h), `expect alloc_calls 42`, ...
#ifndef HEAPDRIFT_TESTS_SHIM_SHIM_SNAPSHOTS_H
#define HEAPDRIFT_TESTS_SHIM_SHIM_SNAPSHOTS_H

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shim_run.h"
#include "snapshot.h"

namespace shimtest {

class ProgramOutput {
 public:
  explicit ProgramOutput(const std::string& text);

  // Every line starting with `key`, split at spaces (the key itself dropped).
  std::vector<std::vector<std::string>> all(const std::string& key) const;
  // The first value of the only line starting with `key`; throws when there is not
  // exactly one such line.
  std::string one(const std::string& key) const;
  uint64_t number(const std::string& key) const;  // one(), parsed (decimal or 0x hex)
  // `expect <name> <value>` lines.
  uint64_t expect(const std::string& name) const;

 private:
  std::vector<std::vector<std::string>> lines_;
};

uint64_t parse_number(const std::string& text);  // decimal or 0x hex; throws on junk

// [lo, hi) of a site's code, from its `site <name> <lo> <hi>` line.
struct CodeRange {
  uint64_t lo = 0, hi = 0;
  bool contains(uint64_t address) const { return address >= lo && address < hi; }
};
CodeRange site_range(const ProgramOutput& out, const std::string& name);

// Samples with at least one frame of their stack inside `range`.
std::vector<heapdrift::Sample> samples_at(const heapdrift::Snapshot& s, CodeRange range);

// A counter of the snapshot; throws when it is missing.
uint64_t counter(const heapdrift::Snapshot& s, const std::string& key);

// Every snapshot of one process directory (DIR/<pid>), oldest first, with its number.
struct NumberedSnapshot {
  uint64_t number = 0;
  heapdrift::Snapshot snapshot;
};
std::vector<NumberedSnapshot> read_process_snapshots(const std::filesystem::path& process_dir);
// One snapshot: DIR/<pid>/snap-NNNNNN.hds.
heapdrift::Snapshot read_numbered(const std::filesystem::path& process_dir, uint64_t number);

// The shim under test: the one built with the tests (path compiled in by CMake), or
// $SHIMTEST_SHIM_PATH when set (to check that the tests catch a modified shim).
std::string shim_library();

// LD_PRELOAD=<shim>, HEAPDRIFT_OUTPUT=<dir>, exact sampling and snapshots only on
// demand and at exit; `extra` is appended (a later entry wins in the child).
EnvVars shim_env(const std::filesystem::path& out_dir, const EnvVars& extra = {});

}  // namespace shimtest

#endif  // HEAPDRIFT_TESTS_SHIM_SHIM_SNAPSHOTS_H
