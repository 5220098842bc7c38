// `heapdrift dump SNAPSHOT [--summary]`: a snapshot as readable text. The file is
// read and validated completely before anything is printed, so a corrupt file
// prints nothing but the error.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "command.h"
#include "dump_text.h"
#include "snapshot_reader.h"

namespace heapdrift::cli {
namespace {

struct DumpOptions {
  std::string file;
  bool summary = false;
};

int run_dump(const DumpOptions& o) {
  Snapshot s = read_snapshot(o.file);
  if (o.summary) print_summary(stdout, s);
  else print_snapshot(stdout, s);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw std::runtime_error("cannot write to stdout");
  return 0;
}

}  // namespace

Command add_dump_command(CLI::App& app) {
  auto o = std::make_shared<DumpOptions>();
  CLI::App* cmd = app.add_subcommand("dump", "Print a snapshot as text");
  cmd->add_option("SNAPSHOT", o->file, "A snapshot file (snap-NNNNNN.hds)")->type_name("")->required();
  cmd->add_flag("--summary", o->summary, "Only the samples and live bytes per stack, largest first");
  return {cmd, [o] { return run_dump(*o); }};
}

}  // namespace heapdrift::cli
