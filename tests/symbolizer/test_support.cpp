#include "test_support.h"

#include <cstdlib>
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <fstream>
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

PlainElf::PlainElf(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  elf_version(EV_CURRENT);
  elf_ = elf_begin(fd_, ELF_C_READ_MMAP, nullptr);
}

PlainElf::~PlainElf() {
  elf_end(elf_);
  if (fd_ >= 0) ::close(fd_);
}

std::map<std::string, Section> debug_sections(Elf* elf) {
  std::map<std::string, Section> out;
  size_t names = 0;
  if (elf == nullptr || elf_getshdrstrndx(elf, &names) != 0) return out;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    std::string name = elf_strptr(elf, names, shdr.sh_name);
    if (name.rfind(".debug_", 0) != 0) continue;
    Section& s = out[name];
    s.type = shdr.sh_type;
    s.flags = shdr.sh_flags;
    s.offset = shdr.sh_offset;
    if (shdr.sh_type == SHT_NOBITS) continue;
    if (Elf_Data* data = elf_getdata(scn, nullptr)) s.bytes.assign(static_cast<const char*>(data->d_buf), data->d_size);
  }
  return out;
}

void copy_damaged_compressed(const std::string& from, const std::filesystem::path& to, uint64_t offset,
                             const std::string& bytes) {
  test::copy_file(from, to);
  Section info;
  {
    PlainElf elf(to.string());
    info = debug_sections(elf.get())[".debug_info"];
  }
  if (offset + bytes.size() > info.bytes.size()) {
    throw std::runtime_error("no .debug_info large enough in " + to.string());
  }
  std::fstream f(to, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(info.offset + offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
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
std::string FixtureFiles::compressed_zstd() { return HDSYM_VARIANTS "/compressed-zstd.so"; }

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
