// heapdrift's native symbolizer: code addresses of a recorded process -> function,
// source file and line, with inlined calls expanded, through elfutils libdw in-process.
//
//   Symbolizer symbolizer(options);
//   ProcessImage image = symbolizer.load(modules);          // a snapshot's module map
//   for (const SymbolFrame& f : symbolizer.symbolize(image, frame, /*return_address=*/true))
//     ...;                                                  // innermost first
//   for (const std::string& w : symbolizer.warnings()) ...; // print once
//
// Addresses go to modules through the module map (PT_LOAD segments at their load bias:
// PIE executables, shared and dlopen'ed libraries alike). A return address is looked up
// at address - 1, the call instruction, so that a call ending a function (before a
// noreturn callee) is not put in the next function.
//
// Files are found as gdb and perf find them (see debug_file_finder.h): the module at
// `sysroot + path`, its debug info in itself, by build-id under the debug roots
// (`debug_dirs`, `sysroot/usr/lib/debug`, `/usr/lib/debug`), by .gnu_debuglink beside
// it, in its `.debug/` and under the roots, and through debuginfod when
// $DEBUGINFOD_URLS is set (see debuginfod.h). Every file must carry the build-id the
// snapshot recorded: a rebuilt binary is never used to name frames; its frames stay
// module+offset (unless a file of the recorded build is found elsewhere) and a warning
// says so. Without DWARF, names come from .symtab/.dynsym; without those, a frame is
// module+offset only.
//
// Cost: each module is opened once, on the first address that falls in it. What a
// lookup reads from the DWARF (unit and function ranges, scope trees, names) is kept,
// so that another lookup in the same function reads nothing again; the answers
// themselves are not: callers that see an address many times keep what they make of
// it (the analyzer interns frames per address), which a second copy here would double
// (some 300 MB for 100,000 stacks in libjvm).
//
// Thread-safety: none. A Symbolizer and its ProcessImages belong to one thread at a
// time (libdwfl sessions are not thread-safe); use one Symbolizer per thread.
#ifndef HEAPDRIFT_SYMBOLIZER_SYMBOLIZER_H
#define HEAPDRIFT_SYMBOLIZER_SYMBOLIZER_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "module_desc.h"
#include "symbol_frame.h"

namespace heapdrift::symbolizer {

struct Options {
  // Prepended to every module path: the target's files copied or mounted here, for
  // analysis on another machine. Its usr/lib/debug is a debug root too.
  std::string sysroot;
  // Extra debug roots, searched first, laid out like /usr/lib/debug (.build-id/xx/...,
  // and debug files by the module's directory).
  std::vector<std::string> debug_dirs;
  // Also search this machine's /usr/lib/debug.
  bool system_debug_dir = true;
  // Ask debuginfod servers (through libdw) when $DEBUGINFOD_URLS is set and nothing
  // was found locally. Without $DEBUGINFOD_URLS nothing is fetched either way.
  bool debuginfod = true;
};

// What became of one module, for diagnostics.
struct ModuleStatus {
  std::string path;        // as recorded
  bool opened = false;     // modules are opened on the first address that falls in them
  std::string elf_file;    // the file read for it; "" when none could be used
  std::string debug_file;  // the separate file its debug info came from; "" if none
  bool dwarf = false;      // DWARF found (in elf_file or debug_file)
  bool inflated = false;   // its compressed debug sections inflated ahead of libdw (InflatedDwarf)
  bool symbols = false;    // a symbol table found (.symtab or .dynsym)
  std::string warning;     // "" when all is well
};

class ModuleSymbols;
class ModuleIndex;

// The module map of one process (one snapshot), ready for lookups. Cheap to make;
// the modules behind it are the Symbolizer's, shared between images, so an image must
// not outlive the Symbolizer that loaded it.
class ProcessImage {
 public:
  ProcessImage(ProcessImage&&) noexcept;
  ProcessImage& operator=(ProcessImage&&) noexcept;
  ~ProcessImage();

  size_t module_count() const;

 private:
  friend class Symbolizer;
  ProcessImage();
  std::unique_ptr<ModuleIndex> index_;
  std::vector<ModuleSymbols*> modules_;  // in the order given to load()
};

class Symbolizer {
 public:
  explicit Symbolizer(Options options = {});
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Registers a process's modules. Modules with the same path and build-id as ones
  // loaded before (another snapshot of the process, or another process) share their
  // opened files and what was read of their DWARF, whatever their load bias.
  ProcessImage load(const std::vector<ModuleDesc>& modules);

  // The frames at `address`, innermost first, never empty: at least one frame with the
  // module and offset (source kNone) when nothing more is known. `return_address`: the
  // address is a return address (as every stack frame in a snapshot is) and is looked
  // up at address - 1; false for an exact pc.
  std::vector<SymbolFrame> symbolize(const ProcessImage& image, uint64_t address, bool return_address);

  // One line per module that had a problem (file missing, build-id mismatch, debug
  // file rejected), in the order found; a module is checked when it is first opened.
  std::vector<std::string> warnings() const;

  std::vector<ModuleStatus> module_status(const ProcessImage& image) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_SYMBOLIZER_H
