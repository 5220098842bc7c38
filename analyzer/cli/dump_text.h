// Plain-text renderings of one snapshot for `heapdrift dump`: everything in it, or
// the live bytes per stack (a first look before the analyzer exists).
#ifndef HEAPDRIFT_ANALYZER_CLI_DUMP_TEXT_H
#define HEAPDRIFT_ANALYZER_CLI_DUMP_TEXT_H

#include <cstdio>

#include "snapshot.h"

namespace heapdrift::cli {

void print_snapshot(std::FILE* out, const Snapshot& s);

// Per stack id: samples and estimated live bytes (Σ size × weight), largest first.
void print_summary(std::FILE* out, const Snapshot& s);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_DUMP_TEXT_H
