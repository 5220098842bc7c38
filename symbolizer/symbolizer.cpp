#include "symbolizer.h"

#include <filesystem>
#include <map>
#include <utility>

#include "debug_file_finder.h"
#include "module_index.h"
#include "module_symbols.h"

namespace heapdrift::symbolizer {
namespace {

std::vector<std::string> debug_roots(const Options& options) {
  std::vector<std::string> roots;
  auto add = [&](const std::string& dir) {
    if (dir.empty()) return;
    std::error_code ec;
    std::string abs = std::filesystem::absolute(dir, ec).lexically_normal().string();
    if (ec) abs = dir;
    while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
    for (const std::string& r : roots) {
      if (r == abs) return;
    }
    roots.push_back(abs);
  };
  for (const std::string& dir : options.debug_dirs) add(dir);
  if (!options.sysroot.empty()) add(options.sysroot + "/usr/lib/debug");
  if (options.system_debug_dir) add("/usr/lib/debug");
  return roots;
}

}  // namespace

struct Symbolizer::Impl {
  explicit Impl(Options o)
      : options(std::move(o)), finder(options.sysroot, debug_roots(options)) {}

  Options options;
  DebugFileFinder finder;
  std::map<std::pair<std::string, std::vector<uint8_t>>, std::unique_ptr<ModuleSymbols>> modules;
  std::vector<std::string> warnings;
};

ProcessImage::ProcessImage() = default;
ProcessImage::ProcessImage(ProcessImage&&) noexcept = default;
ProcessImage& ProcessImage::operator=(ProcessImage&&) noexcept = default;
ProcessImage::~ProcessImage() = default;

size_t ProcessImage::module_count() const { return modules_.size(); }

Symbolizer::Symbolizer(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Symbolizer::~Symbolizer() = default;

ProcessImage Symbolizer::load(const std::vector<ModuleDesc>& modules) {
  ProcessImage image;
  image.index_ = std::make_unique<ModuleIndex>(modules);
  image.modules_.reserve(modules.size());
  for (const ModuleDesc& desc : modules) {
    auto& slot = impl_->modules[{desc.path, desc.build_id}];
    if (!slot) {
      ModuleDesc shared = desc;
      shared.load_bias = 0;  // the shared object is bias-free; images carry the bias
      slot = std::make_unique<ModuleSymbols>(std::move(shared), &impl_->finder, impl_->options.debuginfod);
    }
    image.modules_.push_back(slot.get());
  }
  return image;
}

std::vector<SymbolFrame> Symbolizer::symbolize(const ProcessImage& image, uint64_t address, bool return_address) {
  // The call instruction ends just before a return address.
  uint64_t pc = return_address && address > 0 ? address - 1 : address;
  ModuleSymbols* module = nullptr;
  uint64_t offset = address;
  if (image.index_) {
    if (auto hit = image.index_->find(pc)) {
      module = image.modules_[hit->module];
      offset = address - hit->load_bias;
    }
  }
  std::vector<SymbolFrame> frames;
  if (module != nullptr) {
    bool first = !module->opened();
    module->lookup(return_address && offset > 0 ? offset - 1 : offset, &frames);
    if (first && !module->warning().empty()) impl_->warnings.push_back(module->warning());
  }
  if (frames.empty()) frames.emplace_back();
  for (SymbolFrame& f : frames) {
    if (module != nullptr) f.module = module->desc().path;
    f.module_offset = offset;
  }
  return frames;
}

std::vector<std::string> Symbolizer::warnings() const { return impl_->warnings; }

std::vector<ModuleStatus> Symbolizer::module_status(const ProcessImage& image) const {
  std::vector<ModuleStatus> out;
  out.reserve(image.modules_.size());
  for (const ModuleSymbols* m : image.modules_) out.push_back(m->status());
  return out;
}

}  // namespace heapdrift::symbolizer
