// What the symbolizer says about one code address: one SymbolFrame per function
// active there, innermost first (inlined calls expanded into frames of their own).
#ifndef HEAPDRIFT_SYMBOLIZER_SYMBOL_FRAME_H
#define HEAPDRIFT_SYMBOLIZER_SYMBOL_FRAME_H

#include <cstdint>
#include <string>

namespace heapdrift::symbolizer {

// Where a frame's answer came from.
enum class FrameSource : uint8_t {
  kDwarf,   // DWARF debug info: function, file and line (file/line may be 0/empty at odd spots)
  kSymtab,  // an ELF symbol table (.symtab or .dynsym): function name only
  kGoPclntab,  // a Go program's own table (.gopclntab): function, file and line, no inlining
  kNone,    // nothing: only module + offset (or the bare address outside every module)
};

const char* to_string(FrameSource source);  // "dwarf", "symtab", "gopclntab", "none"

struct SymbolFrame {
  std::string function;   // demangled, without parameters ("ns::Class::method"); "" if unknown
  std::string signature;  // demangled with parameters ("ns::Class::method(int) const");
                          // equal to `function` when the name has no parameter list (C)
  std::string file;       // source file as the DWARF records it; "" without DWARF
  uint32_t line = 0;      // 0 when unknown
  uint32_t column = 0;    // 0 when unknown
  std::string module;     // ModuleDesc::path of the containing module; "" outside every module
  uint64_t module_offset = 0;  // address - load_bias, the ELF address `addr2line -e module`
                               // takes (of the address given, before any return-address
                               // adjustment); the absolute address when `module` is ""
  bool inlined = false;   // this function's code was inlined into the next frame's
  FrameSource source = FrameSource::kNone;

  bool operator==(const SymbolFrame&) const = default;
};

// `function` when known, else "libfoo.so+0x1a2b" (the module's file name), else "0x7f12...".
std::string display_name(const SymbolFrame& frame);

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_SYMBOL_FRAME_H
