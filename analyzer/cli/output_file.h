// Writes a command's output file whole or not at all: into a temporary file beside it,
// renamed into place once complete, so a failure never leaves a partial file.
#ifndef HEAPDRIFT_ANALYZER_CLI_OUTPUT_FILE_H
#define HEAPDRIFT_ANALYZER_CLI_OUTPUT_FILE_H

#include <string>
#include <string_view>

namespace heapdrift::cli {

// Throws std::runtime_error naming the file on failure.
void write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_OUTPUT_FILE_H
