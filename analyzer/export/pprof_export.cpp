#include "pprof_export.h"

#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <vector>
#include <zlib.h>

#include "profile.pb.h"
#include "elf_file.h"
#include "utf8.h"

namespace heapdrift {
namespace {

namespace pb = perftools::profiles;

class StringTable {
 public:
  explicit StringTable(pb::Profile& p) : p_(p) { (*this)(""); }
  int64_t operator()(const std::string& s) {
    auto [it, added] = ids_.try_emplace(s, int64_t(ids_.size()));
    if (added) p_.add_string_table(valid_utf8(s));  // proto3 strings are UTF-8; a path need not be
    return it->second;
  }

 private:
  pb::Profile& p_;
  std::unordered_map<std::string, int64_t> ids_;
};

struct MappingRange {
  uint64_t start, limit, id;
  bool symbolized = true, files = false, lines = false, inlines = false;
};

void add_mapping(const Module& m, uint64_t start, uint64_t limit, uint64_t offset, pb::Profile& out, StringTable& str,
                 std::vector<MappingRange>& ranges) {
  pb::Mapping* pm = out.add_mapping();
  pm->set_id(uint64_t(out.mapping_size()));
  pm->set_memory_start(start);
  pm->set_memory_limit(limit);
  pm->set_file_offset(offset);
  pm->set_filename(str(m.path));
  if (!m.build_id.empty()) pm->set_build_id(str(symbolizer::build_id_hex(m.build_id)));
  ranges.push_back({start, limit, pm->id()});
}

using CodeRanges = std::vector<std::tuple<uint64_t, uint64_t, uint64_t>>;  // start, limit, file offset

// A module's executable segments, where it was loaded.
CodeRanges executable_segments(const Module& m) {
  CodeRanges code;
  for (const Segment& s : m.segments) {
    if (s.flags & 1) code.emplace_back(m.load_bias + s.vaddr, m.load_bias + s.vaddr + s.memsz, s.offset);
  }
  return code;
}

void add_mappings(const ExportProfile& p, pb::Profile& out, StringTable& str, std::vector<MappingRange>& ranges) {
  for (const Module& m : p.modules) {
    CodeRanges code;
    // The maps name files by their real path, the module map as the loader did
    // (/lib/... vs /usr/lib/...): they are matched by address.
    for (const Mapping& map : p.maps) {
      if (!(map.prot & format::kProtExec)) continue;
      for (const Segment& s : m.segments) {
        uint64_t start = m.load_bias + s.vaddr, end = start + s.memsz;
        if ((s.flags & 1) && map.start < end && start < map.end) {
          code.emplace_back(map.start, map.end, map.offset);
          break;
        }
      }
    }
    if (p.maps.empty()) code = executable_segments(m);
    for (auto [start, limit, offset] : code) add_mapping(m, start, limit, offset, out, str, ranges);
  }
  // The unloaded modules nothing replaced get mappings of their own. Where other code
  // is now, their locations get its mapping (their Lines still name the unloaded code).
  for (const UnloadedModule& u : unreplaced_modules(p)) {
    for (auto [start, limit, offset] : executable_segments(u.module)) {
      add_mapping(u.module, start, limit, offset, out, str, ranges);
    }
  }
}

// Locations by content, held by the profile being exported.
struct LocationHash {
  size_t operator()(const ExportLocation* l) const {
    size_t h = std::hash<uint64_t>()(l->address);
    for (FrameId f : l->frames) h = h * 1000003 ^ f.value;
    return h;
  }
};
struct SameLocation {
  bool operator()(const ExportLocation* a, const ExportLocation* b) const {
    return a->address == b->address && a->frames == b->frames;
  }
};

MappingRange* range_of(std::vector<MappingRange>& ranges, uint64_t address) {
  for (MappingRange& r : ranges) {
    if (address >= r.start && address < r.limit) return &r;
  }
  return nullptr;
}

}  // namespace

std::string pprof_profile(const ExportProfile& p, const FrameTable& table) {
  pb::Profile out;
  StringTable str(out);
  auto value_type = [&](pb::ValueType* v, const char* type, const char* unit) {
    v->set_type(str(type));
    v->set_unit(str(unit));
  };
  value_type(out.add_sample_type(), "inuse_objects", "count");
  value_type(out.add_sample_type(), "inuse_space", "bytes");
  out.set_default_sample_type(str("inuse_space"));
  value_type(out.mutable_period_type(), "space", "bytes");
  out.set_period(int64_t(p.process.sample_rate));
  out.set_time_nanos(int64_t(p.process.wall_ns));
  out.add_comment(str("heapdrift live heap of pid " + std::to_string(p.process.pid) + " (" + p.process.exe + ")"));

  std::vector<MappingRange> ranges;
  add_mappings(p, out, str, ranges);

  // Frames of one function (at other lines) share its Function: looked up by name once
  // per frame.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> functions;
  std::vector<uint64_t> function_of(table.size(), 0);
  auto function_id = [&](FrameId id) {
    uint64_t& known = function_of[id.value];
    if (known) return known;
    const Frame& f = table[id];
    auto [it, added] = functions.try_emplace({f.function, f.signature, f.file}, functions.size() + 1);
    if (added) {
      pb::Function* pf = out.add_function();
      pf->set_id(it->second);
      pf->set_name(str(f.function));
      pf->set_system_name(str(f.signature.empty() ? f.function : f.signature));
      pf->set_filename(str(f.file));
    }
    return known = it->second;
  };
  // A JIT address names other frames at other times: a Location is an address and its frames.
  std::unordered_map<const ExportLocation*, uint64_t, LocationHash, SameLocation> locations;
  auto location_id = [&](const ExportLocation& l) {
    auto [it, added] = locations.try_emplace(&l, locations.size() + 1);
    if (!added) return it->second;
    pb::Location* pl = out.add_location();
    pl->set_id(it->second);
    pl->set_address(l.address);
    MappingRange* range = l.address ? range_of(ranges, l.address) : nullptr;
    if (range) pl->set_mapping_id(range->id);
    for (FrameId id : l.frames) {
      const Frame& f = table[id];
      if (f.kind == FrameKind::kUnknown && range) {
        // Unsymbolized code in a module: no Line, and the mapping says so, so that
        // pprof symbolizes it from the binary if it can.
        range->symbolized = false;
        pl->clear_line();
        break;
      }
      pb::Line* line = pl->add_line();
      line->set_function_id(function_id(id));
      line->set_line(f.line);
      if (range) {
        range->files |= !f.file.empty();
        range->lines |= f.line != 0;
        range->inlines |= f.inlined;
      }
    }
    return it->second;
  };

  for (const ExportStack& s : p.stacks) {
    long long objects = std::llround(s.objects), bytes = std::llround(s.bytes);
    if (objects == 0 && bytes == 0) continue;
    pb::Sample* ps = out.add_sample();
    for (const ExportLocation& l : s.locations) ps->add_location_id(location_id(l));
    ps->add_value(objects);
    ps->add_value(bytes);
  }
  for (const MappingRange& r : ranges) {
    pb::Mapping* pm = out.mutable_mapping(int(r.id - 1));
    pm->set_has_functions(r.symbolized);
    pm->set_has_filenames(r.symbolized && r.files);
    pm->set_has_line_numbers(r.symbolized && r.lines);
    pm->set_has_inline_frames(r.symbolized && r.inlines);
  }
  std::string bytes;
  if (!out.SerializeToString(&bytes)) throw std::runtime_error("cannot serialize the pprof profile");
  return bytes;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: cannot initialize zlib");
  }
  std::string out(deflateBound(&z, uLong(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: compression failed");
  out.resize(z.total_out);
  return out;
}

}  // namespace heapdrift
