// The seam between main.cpp and the subcommands: each one registers its options on
// the CLI11 app and returns how to run it once the command line has been parsed.
#ifndef HEAPDRIFT_ANALYZER_CLI_COMMAND_H
#define HEAPDRIFT_ANALYZER_CLI_COMMAND_H

#include <functional>
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace heapdrift::cli {

// A bad command line found after parsing (a malformed size, ...): exit status 2.
// Any other exception a command throws means bad input or a failed operation: 1.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  CLI::App* app;
  std::function<int()> run;  // returns the exit status
  // Reads recordings, on a huge-page heap (huge_page_heap.h). record and snapshot act
  // on a running process instead, and record's command must not inherit that heap.
  bool offline = true;
};

Command add_record_command(CLI::App& app);
Command add_snapshot_command(CLI::App& app);
Command add_dump_command(CLI::App& app);
Command add_leaks_command(CLI::App& app);
Command add_diff_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_flamegraph_command(CLI::App& app);
Command add_export_command(CLI::App& app);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_COMMAND_H
