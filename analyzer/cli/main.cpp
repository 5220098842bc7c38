// `heapdrift`: parses the command line and runs one subcommand. Every failure ends as
// one line on stderr and a non-zero exit: 2 for a bad command line, 1 for bad input.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command.h"
#include "huge_page_heap.h"

namespace {

void print_error(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');  // one line, always
  std::fprintf(stderr, "heapdrift: %s\n", message.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace heapdrift::cli;
  CLI::App app{"heapdrift: finds native memory leaks in long-running processes", "heapdrift"};
  app.require_subcommand(1);
  std::vector<Command> commands = {add_record_command(app), add_snapshot_command(app),
                                   add_leaks_command(app),  add_diff_command(app),
                                   add_report_command(app), add_flamegraph_command(app),
                                   add_export_command(app), add_dump_command(app)};
  // A first word that names no command: CLI11 would say only that one is required.
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(commands.begin(), commands.end(), [&](const Command& c) { return c.app->get_name() == argv[1]; })) {
    std::string names;
    for (const Command& c : commands) names += (names.empty() ? "" : ", ") + c.app->get_name();
    print_error("unknown command '" + std::string(argv[1]) + "' (the commands: " + names + ")");
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    return 2;
  }
  for (const Command& c : commands) {
    if (!c.app->parsed()) continue;
    if (c.offline) use_huge_page_heap(argv);
    try {
      return c.run();
    } catch (const UsageError& e) {
      print_error(e.what());
      return 2;
    } catch (const std::exception& e) {
      print_error(e.what());
      return 1;
    }
  }
  return 2;  // unreachable: require_subcommand(1)
}
