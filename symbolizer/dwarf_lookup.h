// Function, file and line at an address from one module's DWARF, with the inlined
// calls there expanded, innermost first (as `addr2line -i` and gdb show them).
//
// libdw's generic dwarf_getscopes() walks a compilation unit's DIE tree from its root
// on every call, which is slow for big C++ units. Instead this indexes lazily, the
// way llvm-symbolizer does: on first use, the address ranges of every compile unit;
// on a unit's first hit, the ranges of its out-of-line functions. A lookup is then a
// binary search for the unit, another for the function, and a walk down that one
// function's DIEs through the lexical blocks and inlined subroutines containing the
// address. The innermost frame's file and line come from the line table; each outer
// frame's from the DW_AT_call_file/call_line of the inlined subroutine inside it.
//
// A JVM-sized library has its every function hit many times (one per call site in
// it), so that walk is cached too: a scope DIE's scope children and their ranges are
// read once, on the first walk through it, into a tree later walks descend without
// libdw (big functions hold hundreds of inlined calls, each a sibling to skip). A
// scope's names and call site are read from it once too.
//
// Names are the mangled DW_AT_linkage_name where there is one. GCC records none for
// C++ functions of internal linkage (static, anonymous namespace), whose DW_AT_name
// is bare ("helper"); those are qualified with the namespaces and classes that the
// same walk over the unit passes through ("ns::(anonymous namespace)::helper").
#ifndef HEAPDRIFT_SYMBOLIZER_DWARF_LOOKUP_H
#define HEAPDRIFT_SYMBOLIZER_DWARF_LOOKUP_H

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <elfutils/libdw.h>

namespace heapdrift::symbolizer {

// Strings point into libdw's data and live as long as the Dwarf handle.
struct DwarfFrame {
  const char* linkage_name = nullptr;  // mangled name, when the DWARF records one
  const char* name = nullptr;          // DW_AT_name
  const char* file = nullptr;
  int line = 0;
  int column = 0;
  bool inlined = false;  // an inlined instance (every frame but the outermost)
  // Which scope DIE the names are from (kFunctions only): an id for callers' caches of
  // what they make of the names, stable for the DwarfLookup's life, below scope_count().
  uint32_t scope = 0;
};

class DwarfLookup {
 public:
  enum class Result {
    kNone,      // no compile unit covers the address
    kLineOnly,  // a unit and its line table do, but no function DIE (assembly sources)
    kFunctions  // frames of functions, innermost first
  };

  // `dwarf` stays owned by the caller (libdwfl, or an InflatedDwarf); addresses are DWARF
  // addresses.
  explicit DwarfLookup(Dwarf* dwarf) : dwarf_(dwarf) {}

  Result lookup(Dwarf_Addr pc, std::vector<DwarfFrame>* frames);

  size_t scope_count() const { return nodes_.size(); }

 private:
  struct Range {
    Dwarf_Addr low, high;
    uint32_t index;  // into units_, or into Unit::function_dies
  };
  // Ranges sorted by `low`, with the running maximum of `high` so that overlapping
  // or nested ranges are still found.
  struct RangeTable {
    std::vector<Range> ranges;
    std::vector<Dwarf_Addr> max_high;
    // Whether the DIE had any plausible range.
    bool add(Dwarf_Die* die, uint32_t index);
    void finish();
    // The smallest range containing pc; of equal ones, the first added.
    const Range* find(Dwarf_Addr pc) const;
  };
  struct Unit {
    Dwarf_Die die;
    bool cplusplus = false;
    bool indexed = false;
    RangeTable functions;
    std::vector<Dwarf_Die> function_dies;
    std::vector<uint32_t> function_nodes;  // into nodes_, kNoNode until first walked
  };
  // A scope DIE (function, inlined subroutine, lexical block...) of the walk cache.
  static constexpr uint32_t kNoNode = UINT32_MAX;
  struct ScopeNode {
    Dwarf_Die die;
    int tag;
    uint32_t ranges_begin, ranges_end;  // into scope_ranges_: the DIE's dwarf_ranges
    uint32_t children_begin = kNoNode;  // into nodes_: its scope children, in DIE order,
    uint32_t children_end = kNoNode;    // read on the first walk through it
    // set_names's answer and the DW_AT_call_* of an inlined subroutine, once read.
    bool named = false;
    bool call_read = false;
    const char* linkage_name = nullptr;
    const char* name = nullptr;
    const char* call_file = nullptr;
    int call_line = 0;
    int call_column = 0;
  };

  void index_units();
  void index_functions(Unit* unit);
  void collect_functions(Dwarf_Die* parent, Unit* unit, uint32_t scope);
  uint32_t scope_index(const std::string& prefix);
  uint32_t add_node(Dwarf_Die* die, int tag);
  void expand(uint32_t node);
  bool node_has(uint32_t node, Dwarf_Addr pc) const;
  void set_names(ScopeNode* node, DwarfFrame* frame);
  void read_call(ScopeNode* call, Dwarf_Die* unit_die);
  const char* qualified_name(Dwarf_Die* die, const char* name);

  Dwarf* dwarf_;
  bool units_indexed_ = false;
  std::vector<Unit> units_;
  RangeTable unit_ranges_;
  std::unordered_map<Dwarf_Off, uint32_t> unit_by_offset_;  // CU DIE offset -> units_

  // Functions without linkage names: DIE (by its address in the data) -> the prefix
  // of its scope in scope_names_ ("ns::Class::").
  std::unordered_map<const void*, uint32_t> scope_of_;
  std::vector<std::string> scope_names_{""};
  std::unordered_map<std::string, uint32_t> scope_indexes_{{"", 0}};
  std::unordered_map<const void*, std::string> qualified_;  // by DIE address

  std::vector<ScopeNode> nodes_;
  std::vector<std::pair<Dwarf_Addr, Dwarf_Addr>> scope_ranges_;
};

}  // namespace heapdrift::symbolizer

#endif  // HEAPDRIFT_SYMBOLIZER_DWARF_LOOKUP_H
