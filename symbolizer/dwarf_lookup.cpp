#include "dwarf_lookup.h"

#include <algorithm>
#include <dwarf.h>

namespace heapdrift::symbolizer {
namespace {

// Linkers mark the ranges of discarded code (duplicate COMDAT functions) with 0, -1
// or -2 as "tombstones"; such ranges would collide with real code.
bool plausible(Dwarf_Addr low, Dwarf_Addr high) {
  return low != 0 && low < high && high < static_cast<Dwarf_Addr>(-2);
}

bool has_linkage_name(Dwarf_Die* die) {
  return dwarf_hasattr(die, DW_AT_linkage_name) || dwarf_hasattr(die, DW_AT_MIPS_linkage_name);
}

bool is_cplusplus(Dwarf_Die* cu) {
  switch (dwarf_srclang(cu)) {
    case DW_LANG_C_plus_plus:
    case DW_LANG_C_plus_plus_03:
    case DW_LANG_C_plus_plus_11:
    case DW_LANG_C_plus_plus_14:
      return true;
    default:
      return false;
  }
}

// The DIE that holds the name: through DW_AT_abstract_origin (inlined instances,
// out-of-line copies) and DW_AT_specification (definitions of declarations).
Dwarf_Die named_die(Dwarf_Die* die) {
  Dwarf_Die d = *die;
  for (int depth = 0; depth < 8 && !dwarf_hasattr(&d, DW_AT_name); ++depth) {
    Dwarf_Attribute attr;
    Dwarf_Attribute* origin = dwarf_attr(&d, DW_AT_abstract_origin, &attr);
    if (origin == nullptr) origin = dwarf_attr(&d, DW_AT_specification, &attr);
    Dwarf_Die next;
    if (origin == nullptr || dwarf_formref_die(origin, &next) == nullptr) break;
    d = next;
  }
  return d;
}

int udata(Dwarf_Die* die, int name) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_formudata(dwarf_attr(die, name, &attr), &value) != 0) return 0;
  return static_cast<int>(value);
}

// DIEs that may contain the scopes of an address inside a function.
bool is_scope(int tag) {
  switch (tag) {
    case DW_TAG_inlined_subroutine:
    case DW_TAG_lexical_block:
    case DW_TAG_try_block:
    case DW_TAG_catch_block:
    case DW_TAG_with_stmt:
    case DW_TAG_subprogram:  // a nested function (GNU C)
      return true;
    default:
      return false;
  }
}

}  // namespace

void DwarfLookup::set_names(ScopeNode* node, DwarfFrame* frame) {
  // The answer depends on the DIE alone: qualified_name's scopes are final once the
  // DIE's unit is indexed, which it looks after.
  if (!node->named) {
    node->named = true;
    Dwarf_Die* die = &node->die;
    Dwarf_Attribute attr;
    // dwarf_attr_integrate follows DW_AT_abstract_origin and DW_AT_specification: an
    // inlined instance or an out-of-line definition gets its declaration's names.
    const char* linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
    if (linkage == nullptr) linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
    const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
    // qualified_name may index a unit, which adds no nodes: `node` stays valid.
    if (linkage == nullptr && name != nullptr) name = qualified_name(die, name);
    node->linkage_name = linkage;
    node->name = name;
  }
  frame->linkage_name = node->linkage_name;
  frame->name = node->name;
}

void DwarfLookup::read_call(ScopeNode* call, Dwarf_Die* unit_die) {
  call->call_read = true;
  Dwarf_Files* files = nullptr;
  size_t file_count = 0;
  dwarf_getsrcfiles(unit_die, &files, &file_count);
  Dwarf_Attribute attr;
  Dwarf_Word index = 0;
  if (files != nullptr && dwarf_formudata(dwarf_attr(&call->die, DW_AT_call_file, &attr), &index) == 0 &&
      index < file_count) {
    call->call_file = dwarf_filesrc(files, index, nullptr, nullptr);
  }
  call->call_line = udata(&call->die, DW_AT_call_line);
  call->call_column = udata(&call->die, DW_AT_call_column);
}

const char* DwarfLookup::qualified_name(Dwarf_Die* die, const char* name) {
  Dwarf_Die named = named_die(die);
  auto cached = qualified_.find(named.addr);
  if (cached != qualified_.end()) return cached->second.c_str();
  auto scope = scope_of_.find(named.addr);
  if (scope == scope_of_.end()) {
    // Declared in a unit not indexed yet (an abstract origin in another unit, as LTO
    // makes them): index that unit and look again.
    Dwarf_Die cu;
    if (dwarf_diecu(&named, &cu, nullptr, nullptr) != nullptr) {
      auto unit = unit_by_offset_.find(dwarf_dieoffset(&cu));
      if (unit != unit_by_offset_.end() && !units_[unit->second].indexed) {
        index_functions(&units_[unit->second]);
        scope = scope_of_.find(named.addr);
      }
    }
  }
  if (scope == scope_of_.end()) return name;
  return qualified_.emplace(named.addr, scope_names_[scope->second] + name).first->second.c_str();
}

uint32_t DwarfLookup::scope_index(const std::string& prefix) {
  auto [it, inserted] = scope_indexes_.try_emplace(prefix, static_cast<uint32_t>(scope_names_.size()));
  if (inserted) scope_names_.push_back(prefix);
  return it->second;
}

bool DwarfLookup::RangeTable::add(Dwarf_Die* die, uint32_t index) {
  size_t before = ranges.size();
  Dwarf_Addr base, low, high;
  for (ptrdiff_t offset = 0; (offset = dwarf_ranges(die, offset, &base, &low, &high)) > 0;) {
    if (plausible(low, high)) ranges.push_back({low, high, index});
  }
  return ranges.size() != before;
}

void DwarfLookup::RangeTable::finish() {
  // Stable: of DIEs with the same range (an assembler's aliases, as glibc's getxattr
  // and __GI_getxattr), the first in the DWARF wins.
  std::stable_sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.low != b.low ? a.low < b.low : a.high > b.high;
  });
  max_high.resize(ranges.size());
  Dwarf_Addr running = 0;
  for (size_t i = 0; i < ranges.size(); ++i) max_high[i] = running = std::max(running, ranges[i].high);
}

const DwarfLookup::Range* DwarfLookup::RangeTable::find(Dwarf_Addr pc) const {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), pc,
                             [](Dwarf_Addr a, const Range& r) { return a < r.low; });
  const Range* best = nullptr;
  for (size_t i = static_cast<size_t>(it - ranges.begin()); i-- > 0 && max_high[i] > pc;) {
    const Range& r = ranges[i];
    if (pc < r.high && (best == nullptr || r.high - r.low <= best->high - best->low)) best = &r;
  }
  return best;
}

void DwarfLookup::index_units() {
  units_indexed_ = true;
  Dwarf_CU* cu = nullptr;
  Dwarf_CU* next = nullptr;
  for (; dwarf_get_units(dwarf_, cu, &next, nullptr, nullptr, nullptr, nullptr) == 0; cu = next) {
    uint8_t unit_type = 0;
    Dwarf_Die cudie, subdie;
    if (dwarf_cu_info(next, nullptr, &unit_type, &cudie, &subdie, nullptr, nullptr, nullptr) != 0) {
      continue;
    }
    // Type and partial units hold no code of their own; a skeleton's functions are
    // in its split unit, its ranges in the skeleton.
    if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton) continue;
    if (dwarf_tag(&cudie) != DW_TAG_compile_unit && dwarf_tag(&cudie) != DW_TAG_skeleton_unit) {
      continue;
    }
    Unit unit;
    unit.die = unit_type == DW_UT_skeleton && subdie.cu != nullptr ? subdie : cudie;
    unit.cplusplus = is_cplusplus(&unit.die);
    if (!unit_ranges_.add(&cudie, static_cast<uint32_t>(units_.size()))) continue;
    unit_by_offset_[dwarf_dieoffset(&unit.die)] = static_cast<uint32_t>(units_.size());
    units_.push_back(unit);
  }
  unit_ranges_.finish();
}

void DwarfLookup::collect_functions(Dwarf_Die* parent, Unit* unit, uint32_t scope) {
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    switch (tag) {
      case DW_TAG_subprogram:
        if (scope != 0 && dwarf_hasattr(&child, DW_AT_name) && !has_linkage_name(&child)) {
          scope_of_.emplace(child.addr, scope);
        }
        // Declarations (a class's member functions, repeated in every unit that
        // includes the class) have no ranges and are not kept: in libjvm they are
        // most of the 4 million subprogram DIEs.
        if (unit->functions.add(&child, static_cast<uint32_t>(unit->function_dies.size()))) {
          unit->function_dies.push_back(child);
        }
        break;
      case DW_TAG_namespace:
      case DW_TAG_class_type:
      case DW_TAG_structure_type:
      case DW_TAG_union_type:
      case DW_TAG_module: {
        uint32_t inner = scope;
        if (unit->cplusplus) {
          const char* name = dwarf_diename(&child);
          inner = scope_index(scope_names_[scope] +
                              (name != nullptr           ? name
                               : tag == DW_TAG_namespace ? "(anonymous namespace)"
                                                         : "{unnamed type}") +
                              "::");
        }
        collect_functions(&child, unit, inner);
        break;
      }
      default:
        break;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

void DwarfLookup::index_functions(Unit* unit) {
  unit->indexed = true;
  collect_functions(&unit->die, unit, 0);
  unit->functions.finish();
  unit->function_nodes.assign(unit->function_dies.size(), kNoNode);
}

uint32_t DwarfLookup::add_node(Dwarf_Die* die, int tag) {
  ScopeNode node{*die, tag, static_cast<uint32_t>(scope_ranges_.size()), 0};
  Dwarf_Addr base, low, high;
  // As dwarf_haspc reads them.
  for (ptrdiff_t offset = 0; (offset = dwarf_ranges(die, offset, &base, &low, &high)) > 0;) {
    scope_ranges_.emplace_back(low, high);
  }
  node.ranges_end = static_cast<uint32_t>(scope_ranges_.size());
  nodes_.push_back(node);
  return static_cast<uint32_t>(nodes_.size() - 1);
}

void DwarfLookup::expand(uint32_t node) {
  Dwarf_Die scope = nodes_[node].die;
  uint32_t begin = static_cast<uint32_t>(nodes_.size());
  Dwarf_Die child;
  if (dwarf_child(&scope, &child) == 0) {
    do {
      int tag = dwarf_tag(&child);
      if (is_scope(tag)) add_node(&child, tag);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  nodes_[node].children_begin = begin;
  nodes_[node].children_end = static_cast<uint32_t>(nodes_.size());
}

bool DwarfLookup::node_has(uint32_t node, Dwarf_Addr pc) const {
  for (uint32_t r = nodes_[node].ranges_begin; r < nodes_[node].ranges_end; ++r) {
    if (pc >= scope_ranges_[r].first && pc < scope_ranges_[r].second) return true;
  }
  return false;
}

DwarfLookup::Result DwarfLookup::lookup(Dwarf_Addr pc, std::vector<DwarfFrame>* frames) {
  if (!units_indexed_) index_units();
  const Range* unit_range = unit_ranges_.find(pc);
  if (unit_range == nullptr) return Result::kNone;
  Unit* unit = &units_[unit_range->index];
  if (!unit->indexed) index_functions(unit);

  DwarfFrame innermost;
  if (Dwarf_Line* line = dwarf_getsrc_die(&unit->die, pc)) {
    int lineno = 0, column = 0;
    dwarf_lineno(line, &lineno);
    dwarf_linecol(line, &column);
    innermost.file = dwarf_linesrc(line, nullptr, nullptr);
    innermost.line = lineno;
    innermost.column = column;
  }

  const Range* function = unit->functions.find(pc);
  if (function == nullptr) {
    if (innermost.file == nullptr) return Result::kNone;
    frames->push_back(innermost);
    return Result::kLineOnly;
  }

  // Walk down from the function through the scopes containing pc (at each level the
  // first, in DIE order); each inlined subroutine on the way is a frame.
  uint32_t& root = unit->function_nodes[function->index];
  if (root == kNoNode) root = add_node(&unit->function_dies[function->index], DW_TAG_subprogram);
  std::vector<uint32_t> chain{root};
  for (uint32_t node = root;;) {
    if (nodes_[node].children_begin == kNoNode) expand(node);
    uint32_t found = kNoNode;
    for (uint32_t c = nodes_[node].children_begin; c < nodes_[node].children_end; ++c) {
      if (node_has(c, pc)) {
        found = c;
        break;
      }
    }
    if (found == kNoNode) break;
    if (nodes_[found].tag == DW_TAG_inlined_subroutine) chain.push_back(found);
    if (nodes_[found].tag == DW_TAG_subprogram) chain.assign(1, found);
    node = found;
  }

  for (size_t k = chain.size(); k-- > 0;) {
    DwarfFrame frame;
    set_names(&nodes_[chain[k]], &frame);
    frame.scope = chain[k];
    frame.inlined = k > 0;
    if (k + 1 == chain.size()) {
      frame.file = innermost.file;
      frame.line = innermost.line;
      frame.column = innermost.column;
    } else {
      // Where this function called the one inlined into it.
      ScopeNode* call = &nodes_[chain[k + 1]];
      if (!call->call_read) read_call(call, &unit->die);
      frame.file = call->call_file;
      frame.line = call->call_line;
      frame.column = call->call_column;
    }
    frames->push_back(frame);
  }
  return Result::kFunctions;
}

}  // namespace heapdrift::symbolizer
