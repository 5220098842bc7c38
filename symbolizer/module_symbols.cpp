#include "module_symbols.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "debuginfod.h"
#include "dwarf_lookup.h"
#include "elf_file.h"
#include "go_pclntab.h"
#include "inflated_dwarf.h"
#include "symbol_index.h"

namespace heapdrift::symbolizer {
namespace {

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

}  // namespace

ModuleSymbols::ModuleSymbols(ModuleDesc desc, const DebugFileFinder* finder, bool use_debuginfod)
    : desc_(std::move(desc)), finder_(finder), use_debuginfod_(use_debuginfod) {
  debuginfo_path_ = ":.debug";
  for (const std::string& root : finder_->debug_roots()) debuginfo_path_ += ":" + root;
  debuginfo_path_ptr_ = debuginfo_path_.data();
  callbacks_.find_elf = dwfl_build_id_find_elf;  // unused: modules come with their file
  callbacks_.find_debuginfo = find_debuginfo_callback;
  callbacks_.section_address = dwfl_offline_section_address;
  callbacks_.debuginfo_path = &debuginfo_path_ptr_;
}

ModuleSymbols::~ModuleSymbols() {
  dwarf_.reset();
  inflated_.reset();
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

void ModuleSymbols::open() {
  opened_ = true;
  const std::string& path = desc_.path;
  std::unique_ptr<ElfFile> file;
  // Pseudo-objects ("linux-vdso.so.1") have no file: only their build-id may find one.
  bool is_file = path.find('/') != std::string::npos;
  if (is_file) {
    disk_path_ = finder_->on_disk(path);
    std::string error;
    file = ElfFile::open(disk_path_, &error);
    if (!file) {
      add_note(error);
    } else if (!desc_.build_id.empty()) {
      std::vector<uint8_t> actual = file->build_id();
      if (actual != desc_.build_id) {
        add_note("build-id mismatch: the snapshot recorded " + build_id_hex(desc_.build_id) + ", " +
                 disk_path_ + " has " + (actual.empty() ? "none" : build_id_hex(actual)) +
                 " (rebuilt or replaced since), not used");
        file.reset();
      }
    }
  }

  expected_build_id_ = desc_.build_id;
  if (file) {
    if (expected_build_id_.empty()) expected_build_id_ = file->build_id();
    DebugLink link;
    if (file->debuglink(&link.name, &link.crc)) debuglink_ = link;
    elf_file_ = file->path();
    if (!report(file->release_fd(), elf_file_)) elf_file_.clear();
  } else if (!desc_.build_id.empty()) {
    // Another file of the recorded build: the object or its debug file under a
    // .build-id directory, or the object from debuginfod.
    std::vector<std::string> rejected;
    std::optional<std::string> found = finder_->find_by_build_id(desc_.build_id, false, &rejected);
    if (!found) found = finder_->find_by_build_id(desc_.build_id, true, &rejected);
    for (const std::string& r : rejected) add_note("ignored " + r);
    int fd = -1;
    std::string found_path;
    std::string error;
    if (found) {
      if (auto substitute = ElfFile::open(*found, &error)) {
        DebugLink link;
        if (substitute->debuglink(&link.name, &link.crc)) debuglink_ = link;
        found_path = *found;
        fd = substitute->release_fd();
      } else {
        add_note(error);
      }
    } else if (use_debuginfod_ && debuginfod_configured()) {
      fd = find_executable_by_build_id(desc_.build_id, debuginfo_path_, &found_path);
    }
    if (fd >= 0) {
      if (!notes_.empty()) add_note("read " + found_path + " (the recorded build-id) instead");
      elf_file_ = found_path;
      if (!report(fd, found_path)) elf_file_.clear();
    }
  }

  if (module_ != nullptr) {
    // Load everything now, so that warning() is complete after the first lookup.
    Elf* main = dwfl_module_getelf(module_, &main_bias_);
    symbols_ = std::make_unique<SymbolIndex>(module_);
    if (auto go = std::make_unique<GoPclntab>(main); go->valid()) go_ = std::move(go);
    if (main != nullptr) inflated_ = open_inflated(main);
    if (inflated_) {
      dwarf_bias_ = main_bias_;
      dwarf_ = std::make_unique<DwarfLookup>(inflated_->dwarf());
    } else if (Dwarf* dwarf = dwfl_module_getdwarf(module_, &dwarf_bias_)) {
      dwarf_ = std::make_unique<DwarfLookup>(dwarf);
    }
  }
  if (!notes_.empty()) {
    warning_ = path + ": " + join(notes_, "; ");
    if (module_ == nullptr) warning_ += "; its frames are shown as module+offset";
  }
}

std::unique_ptr<InflatedDwarf> ModuleSymbols::open_inflated(Elf* main) {
  // The file libdwfl would read the DWARF from: the object when it has DWARF, else the
  // debug file its symbol-table search found, else the one find_debuginfo() would pick.
  std::string file;
  if (has_debug_info(main)) {
    file = elf_file_;
  } else {
    const char* debug_file = nullptr;
    dwfl_module_info(module_, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &debug_file);
    if (debug_file != nullptr) {
      file = debug_file;
    } else {
      file = own_debug_file().value_or("");
    }
  }
  if (file.empty()) return nullptr;
  std::unique_ptr<InflatedDwarf> inflated = InflatedDwarf::open(file);
  // A separate debug file whose segments end elsewhere than the object's needs
  // libdwfl's address translation.
  if (inflated && file != elf_file_ && load_end(inflated->elf()) != load_end(main)) return nullptr;
  if (inflated && file != elf_file_) inflated_file_ = file;
  return inflated;
}

bool ModuleSymbols::report(int fd, const std::string& file) {
  dwfl_ = dwfl_begin(&callbacks_);
  if (dwfl_ == nullptr) {
    ::close(fd);
    add_note(std::string("libdwfl: ") + dwfl_errmsg(-1));
    return false;
  }
  dwfl_report_begin(dwfl_);
  // Placed at 0 (ET_DYN) or where it was linked (ET_EXEC): dwfl addresses are then
  // the ELF's own, up to main_bias_ (0 in both cases).
  const char* name = desc_.path.empty() ? file.c_str() : desc_.path.c_str();
  Dwfl_Module* mod = dwfl_report_elf(dwfl_, name, file.c_str(), fd, 0, true);
  if (mod == nullptr) {
    ::close(fd);
    add_note(file + ": " + dwfl_errmsg(-1));
    return false;
  }
  if (dwfl_report_end(dwfl_, nullptr, nullptr) != 0) {
    add_note(std::string("libdwfl: ") + dwfl_errmsg(-1));
    return false;
  }
  void** userdata = nullptr;
  dwfl_module_info(mod, &userdata, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  *userdata = this;
  module_ = mod;
  return true;
}

int ModuleSymbols::find_debuginfo_callback(Dwfl_Module* mod, void** userdata, const char* modname,
                                           Dwarf_Addr base, const char* file_name,
                                           const char* debuglink_file, GElf_Word debuglink_crc,
                                           char** debuginfo_file_name) {
  auto* self = static_cast<ModuleSymbols*>(*userdata);
  return self->find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file, debuglink_crc,
                              debuginfo_file_name);
}

int ModuleSymbols::find_debuginfo(Dwfl_Module* mod, void** userdata, const char* modname,
                                  Dwarf_Addr base, const char* file_name, const char* debuglink_file,
                                  GElf_Word debuglink_crc, char** debuginfo_file_name) {
  // libdwfl calls this for the module's debug file (with the module's own debuglink,
  // if any) and, once it has DWARF, for a dwz "alternate" file (with the name from
  // .gnu_debugaltlink): the latter is left to the standard search.
  bool own = debuglink_file == nullptr ||
             (debuglink_ && debuglink_->name == debuglink_file && debuglink_->crc == debuglink_crc);
  if (own) {
    std::optional<std::string> found = own_debug_file();
    if (found) {
      int fd = ::open(found->c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        *debuginfo_file_name = strdup(found->c_str());
        return fd;
      }
    }
    if (!use_debuginfod_ || !debuginfod_configured()) {
      errno = ENOENT;
      return -1;
    }
  }
  // libdw's own search over the same roots, then debuginfod when configured.
  int fd = dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
                                        debuglink_crc, debuginfo_file_name);
  if (fd >= 0 && *debuginfo_file_name == nullptr) {
    // debuginfod hands back only a descriptor into its cache: name the file for status().
    std::string cached = path_of_fd(fd);
    if (!cached.empty()) *debuginfo_file_name = strdup(cached.c_str());
  }
  return fd;
}

std::optional<std::string> ModuleSymbols::own_debug_file() {
  std::vector<std::string> rejected;
  std::optional<std::string> found =
      finder_->find_debug_file(desc_.path, elf_file_, expected_build_id_, debuglink_, &rejected);
  for (const std::string& r : rejected) add_note("ignored " + r);
  return found;
}

void ModuleSymbols::add_note(std::string note) {
  // libdwfl may search for the same debug file twice (for DWARF, then for symbols).
  for (const std::string& n : notes_) {
    if (n == note) return;
  }
  notes_.push_back(std::move(note));
}

const DemangledName& ModuleSymbols::names(const char* symbol) {
  auto it = demangled_.find(symbol);
  if (it == demangled_.end()) it = demangled_.emplace(symbol, demangle(symbol)).first;
  return it->second;
}

void ModuleSymbols::lookup(uint64_t pc, std::vector<SymbolFrame>* frames) {
  if (!opened_) open();
  if (module_ == nullptr) return;
  Dwarf_Addr address = pc + main_bias_;

  std::vector<DwarfFrame> found;
  DwarfLookup::Result result = DwarfLookup::Result::kNone;
  if (dwarf_) result = dwarf_->lookup(address - dwarf_bias_, &found);

  auto symbol = [&]() { return symbols_->find(address); };
  auto frame_named = [&](const char* name, FrameSource source, const DemangledName** cached = nullptr) {
    SymbolFrame frame;
    if (name != nullptr && *name != '\0') {
      if (cached != nullptr && *cached == nullptr) *cached = &names(name);
      const DemangledName& n = cached != nullptr ? **cached : names(name);
      frame.function = n.name;
      frame.signature = n.signature;
    }
    frame.source = source;
    return frame;
  };

  switch (result) {
    case DwarfLookup::Result::kFunctions:
      for (size_t i = 0; i < found.size(); ++i) {
        const DwarfFrame& d = found[i];
        const char* name = d.linkage_name != nullptr ? d.linkage_name : d.name;
        // The scope's names, demangled once (unordered_map nodes do not move).
        const DemangledName** cached = nullptr;
        if (name != nullptr) {
          if (scope_names_.size() < dwarf_->scope_count()) scope_names_.resize(dwarf_->scope_count());
          cached = &scope_names_[d.scope];
        }
        // An outermost function DIE without any name: the symbol table may know it.
        if (name == nullptr && i + 1 == found.size()) name = symbol();
        SymbolFrame frame = frame_named(name, FrameSource::kDwarf, cached);
        if (d.linkage_name == nullptr && i + 1 == found.size() && !frame.function.empty()) {
          // No linkage name (a C++ function of internal linkage): the symbol table's
          // mangled name of the same function has its parameters.
          if (const char* sym = symbol()) {
            const DemangledName& n = names(sym);
            if (n.name == frame.function) frame.signature = n.signature;
          }
        }
        frame.file = d.file != nullptr ? d.file : "";
        frame.line = d.line > 0 ? static_cast<uint32_t>(d.line) : 0;
        frame.column = d.column > 0 ? static_cast<uint32_t>(d.column) : 0;
        frame.inlined = d.inlined;
        frames->push_back(std::move(frame));
      }
      break;
    case DwarfLookup::Result::kLineOnly: {
      SymbolFrame frame = frame_named(symbol(), FrameSource::kDwarf);
      frame.file = found[0].file != nullptr ? found[0].file : "";
      frame.line = found[0].line > 0 ? static_cast<uint32_t>(found[0].line) : 0;
      frame.column = found[0].column > 0 ? static_cast<uint32_t>(found[0].column) : 0;
      frames->push_back(std::move(frame));
      break;
    }
    case DwarfLookup::Result::kNone:
      if (GoLocation go = go_ ? go_->find(pc) : GoLocation{}; !go.function.empty()) {
        SymbolFrame frame;
        frame.function = frame.signature = go.function;
        frame.file = go.file;
        frame.line = static_cast<uint32_t>(go.line);
        frame.source = FrameSource::kGoPclntab;
        frames->push_back(std::move(frame));
      } else if (const char* name = symbol()) {
        frames->push_back(frame_named(name, FrameSource::kSymtab));
      }
      break;
  }
}

ModuleStatus ModuleSymbols::status() const {
  ModuleStatus s;
  s.path = desc_.path;
  s.opened = opened_;
  s.elf_file = elf_file_;
  s.warning = warning_;
  if (module_ != nullptr) {
    const char* main_file = nullptr;
    const char* debug_file = nullptr;
    dwfl_module_info(module_, nullptr, nullptr, nullptr, nullptr, nullptr, &main_file, &debug_file);
    if (debug_file != nullptr && (main_file == nullptr || std::strcmp(debug_file, main_file) != 0)) {
      s.debug_file = debug_file;
    }
    if (!inflated_file_.empty()) s.debug_file = inflated_file_;
    s.dwarf = dwarf_ != nullptr;
    s.inflated = inflated_ != nullptr;
    s.symbols = symbols_->size() > 0;
  }
  return s;
}

}  // namespace heapdrift::symbolizer
