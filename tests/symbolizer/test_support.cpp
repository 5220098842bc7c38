#include "test_support.h"

#include <cstdlib>
#include <dlfcn.h>
#include <stdexcept>
#include <system_error>

#include "process_modules.h"

namespace heapdrift::symbolizer::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/heapdrift-sym-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void copy_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::create_directories(to.parent_path());
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

std::string FixtureFiles::library() { return HDSYM_FIXTURE; }
std::string FixtureFiles::rebuilt() { return HDSYM_FIXTURE_REBUILT; }
std::string FixtureFiles::debug_file() { return HDSYM_VARIANTS "/libhdsym_fixture.debug"; }
std::string FixtureFiles::strip_debug() { return HDSYM_VARIANTS "/strip-debug.so"; }
std::string FixtureFiles::strip_all() { return HDSYM_VARIANTS "/strip-all.so"; }
std::string FixtureFiles::debuglinked() { return HDSYM_VARIANTS "/debuglinked.so"; }
std::string FixtureFiles::debuglink_name() { return "libhdsym_fixture.debug"; }
std::string FixtureFiles::compressed() { return HDSYM_VARIANTS "/compressed.so"; }
std::string FixtureFiles::compressed_debug() { return HDSYM_VARIANTS "/compressed.debug"; }

namespace {

template <typename F>
F entry(void* handle, const char* name) {
  void* p = dlsym(handle, name);
  if (p == nullptr) throw std::runtime_error(std::string("dlsym ") + name + ": " + dlerror());
  return reinterpret_cast<F>(p);
}

LoadedFixture load() {
  void* handle = dlopen(HDSYM_FIXTURE, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
  LoadedFixture f;
  f.plain = entry<HdsymSite (*)()>(handle, "hdsym_plain_site")();
  f.hidden = entry<HdsymSite (*)()>(handle, "hdsym_hidden_site")();
  f.inlined = entry<HdsymInlineSite (*)()>(handle, "hdsym_inline_site")();
  f.noreturn = entry<HdsymNoreturnSite (*)()>(handle, "hdsym_noreturn_site")();
  f.modules = current_modules();
  f.index = module_named(f.modules, HDSYM_FIXTURE);
  if (f.index < 0 || module_containing(f.modules, f.plain.address) != f.index) {
    throw std::runtime_error("the fixture library is not in the module map");
  }
  return f;
}

}  // namespace

const LoadedFixture& LoadedFixture::get() {
  static const LoadedFixture fixture = load();
  return fixture;
}

std::vector<ModuleDesc> LoadedFixture::modules_with_fixture_at(const std::string& path) const {
  std::vector<ModuleDesc> out = modules;
  out[static_cast<size_t>(index)].path = path;
  return out;
}

uint64_t LoadedFixture::offset(const void* address) const {
  return reinterpret_cast<uint64_t>(address) - desc().load_bias;
}

}  // namespace heapdrift::symbolizer::test
