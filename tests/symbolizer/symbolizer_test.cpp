// The symbolizer against known code: the fixture library (dlopen'ed, so at a non-zero
// load bias), its stripped and separate-debug variants placed the ways distributions
// place them, a rebuilt copy with another build-id, and the PIE test executable.
#include "symbolizer.h"

#include <climits>
#include <cstdlib>
#include <dlfcn.h>
#include <elf.h>
#include <fstream>
#include <gtest/gtest.h>
#include <link.h>
#include <unistd.h>

#include "elf_file.h"
#include "pie_site.h"
#include "process_modules.h"
#include "test_support.h"

namespace heapdrift::symbolizer {
namespace {

using test::FixtureFiles;
using test::LoadedFixture;
using test::TempDir;

std::string basename_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::vector<uint8_t> build_id_of(const std::string& path) {
  std::string error;
  auto file = ElfFile::open(path, &error);
  return file ? file->build_id() : std::vector<uint8_t>{};
}

Options isolated() {
  Options o;
  o.system_debug_dir = false;
  o.debuginfod = false;
  return o;
}

// Expectations for the frames of the three sites under full DWARF.
void expect_plain_call(const std::vector<SymbolFrame>& frames, const std::string& module) {
  const auto& f = LoadedFixture::get();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].function, "hdfixture::Widget::plain_call");
  EXPECT_EQ(frames[0].signature, "hdfixture::Widget::plain_call(int)");
  EXPECT_EQ(basename_of(frames[0].file), "fixture.cpp");
  EXPECT_EQ(frames[0].line, static_cast<uint32_t>(f.plain.line));
  EXPECT_GT(frames[0].column, 0u);
  EXPECT_FALSE(frames[0].inlined);
  EXPECT_EQ(frames[0].source, FrameSource::kDwarf);
  EXPECT_EQ(frames[0].module, module);
  EXPECT_EQ(frames[0].module_offset, f.offset(f.plain.address));
}

void expect_inline_chain(const std::vector<SymbolFrame>& frames) {
  const auto& f = LoadedFixture::get();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].function, "hdfixture::inlined_leaf");
  EXPECT_EQ(frames[0].line, static_cast<uint32_t>(f.inlined.leaf_line));
  EXPECT_TRUE(frames[0].inlined);
  EXPECT_EQ(frames[1].function, "hdfixture::inlined_middle");
  EXPECT_EQ(frames[1].line, static_cast<uint32_t>(f.inlined.middle_line));
  EXPECT_TRUE(frames[1].inlined);
  EXPECT_EQ(frames[2].function, "hdfixture::outer_noinline");
  EXPECT_EQ(frames[2].signature, "hdfixture::outer_noinline(int*)");
  EXPECT_EQ(frames[2].line, static_cast<uint32_t>(f.inlined.outer_line));
  EXPECT_FALSE(frames[2].inlined);
  for (const SymbolFrame& frame : frames) {
    EXPECT_EQ(basename_of(frame.file), "fixture.cpp");
    EXPECT_EQ(frame.source, FrameSource::kDwarf);
    EXPECT_EQ(frame.module_offset, f.offset(f.inlined.address));
  }
}

// Where a debug file of the fixture's build goes under `dir`/debug, a debug root.
std::string build_id_debug_path(const TempDir& dir) {
  std::string hex = build_id_hex(LoadedFixture::get().desc().build_id);
  return (dir / "debug/.build-id" / hex.substr(0, 2) / (hex.substr(2) + ".debug")).string();
}

// Symbolizes the plain, inline and hidden sites with the fixture recorded at `path`.
struct Results {
  std::vector<SymbolFrame> plain, inlined, hidden;
  std::vector<std::string> warnings;
  ModuleStatus status;
};

Results symbolize_fixture_at(const std::string& path, const Options& options) {
  const auto& f = LoadedFixture::get();
  Symbolizer symbolizer(options);
  ProcessImage image = symbolizer.load(f.modules_with_fixture_at(path));
  Results r;
  auto at = [&](const void* a) { return reinterpret_cast<uint64_t>(a); };
  r.plain = symbolizer.symbolize(image, at(f.plain.address), true);
  r.inlined = symbolizer.symbolize(image, at(f.inlined.address), true);
  r.hidden = symbolizer.symbolize(image, at(f.hidden.address), true);
  r.warnings = symbolizer.warnings();
  r.status = symbolizer.module_status(image)[static_cast<size_t>(f.index)];
  return r;
}

TEST(Symbolizer, KnownCallGivesFunctionFileAndLine) {
  const auto& f = LoadedFixture::get();
  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(f.modules);
  expect_plain_call(symbolizer.symbolize(image, reinterpret_cast<uint64_t>(f.plain.address), true),
                    FixtureFiles::library());
  EXPECT_TRUE(symbolizer.warnings().empty());
}

TEST(Symbolizer, InlinedCallsBecomeFramesInnermostFirst) {
  const auto& f = LoadedFixture::get();
  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(f.modules);
  expect_inline_chain(symbolizer.symbolize(image, reinterpret_cast<uint64_t>(f.inlined.address), true));
}

TEST(Symbolizer, InternalLinkageFunctionsAreQualified) {
  // GCC gives functions in an anonymous namespace no DW_AT_linkage_name.
  const auto& f = LoadedFixture::get();
  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(f.modules);
  const auto& frames = symbolizer.symbolize(image, reinterpret_cast<uint64_t>(f.hidden.address), true);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].function, "hdfixture::(anonymous namespace)::hidden_call");
  EXPECT_EQ(frames[0].signature, "hdfixture::(anonymous namespace)::hidden_call(int)");
  EXPECT_EQ(frames[0].line, static_cast<uint32_t>(f.hidden.line));
  EXPECT_EQ(frames[0].source, FrameSource::kDwarf);
}

TEST(Symbolizer, ReturnAddressIsLookedUpAtTheCallBeforeIt) {
  const auto& f = LoadedFixture::get();
  // The premise: the call to the noreturn function is the last instruction of its
  // function, so its return address is the first byte of the next function.
  ASSERT_EQ(f.noreturn.return_address, f.noreturn.next_function);
  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(f.modules);
  auto address = reinterpret_cast<uint64_t>(f.noreturn.return_address);

  const auto& as_return = symbolizer.symbolize(image, address, true);
  ASSERT_EQ(as_return.size(), 1u);
  EXPECT_EQ(as_return[0].function, "hdfixture::ends_with_noreturn_call");
  EXPECT_EQ(basename_of(as_return[0].file), "fixture_noreturn.cpp");
  EXPECT_EQ(as_return[0].line, static_cast<uint32_t>(f.noreturn.call_line));
  EXPECT_EQ(as_return[0].module_offset, f.offset(f.noreturn.return_address));

  // The same address as an exact pc is the next function.
  const auto& as_pc = symbolizer.symbolize(image, address, false);
  ASSERT_EQ(as_pc.size(), 1u);
  EXPECT_EQ(as_pc[0].function, "hdfixture::function_after_noreturn_caller");
}

TEST(Symbolizer, DlopenedLibraryAtAnyLoadBias) {
  const auto& f = LoadedFixture::get();
  ASSERT_NE(f.desc().load_bias, 0u);
  Dl_info info;
  ASSERT_NE(dladdr(f.plain.address, &info), 0);
  ASSERT_EQ(reinterpret_cast<uint64_t>(info.dli_fbase), f.desc().load_bias);

  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(f.modules);
  expect_plain_call(symbolizer.symbolize(image, reinterpret_cast<uint64_t>(f.plain.address), true),
                    FixtureFiles::library());

  // The same library loaded elsewhere by another process: same answer at the same
  // offset, from the module already opened.
  std::vector<ModuleDesc> moved = f.modules;
  moved[static_cast<size_t>(f.index)].load_bias += 0x10000000;
  ProcessImage other = symbolizer.load(moved);
  EXPECT_TRUE(symbolizer.module_status(other)[static_cast<size_t>(f.index)].opened);
  expect_plain_call(symbolizer.symbolize(other, reinterpret_cast<uint64_t>(f.plain.address) + 0x10000000, true),
                    FixtureFiles::library());
}

TEST(Symbolizer, PieExecutable) {
  HdsymSite site = hdtest::pie_call(1);
  std::vector<ModuleDesc> modules = test::current_modules();
  int index = test::module_containing(modules, site.address);
  ASSERT_EQ(index, 0) << "the executable comes first in dl_iterate_phdr";
  const ModuleDesc& exe = modules[0];
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(n, 0);
  ASSERT_EQ(exe.path, std::string(self, static_cast<size_t>(n)));
  // A PIE: ET_DYN, loaded at a non-zero bias.
  std::ifstream in(exe.path, std::ios::binary);
  Elf64_Ehdr ehdr;
  ASSERT_TRUE(in.read(reinterpret_cast<char*>(&ehdr), sizeof(ehdr)));
  ASSERT_EQ(ehdr.e_type, ET_DYN);
  ASSERT_NE(exe.load_bias, 0u);

  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(modules);
  const auto& frames = symbolizer.symbolize(image, reinterpret_cast<uint64_t>(site.address), true);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].function, "hdtest::pie_call");
  EXPECT_EQ(basename_of(frames[0].file), "pie_site.cpp");
  EXPECT_EQ(frames[0].line, static_cast<uint32_t>(site.line));
  EXPECT_EQ(frames[0].module, exe.path);
  EXPECT_EQ(frames[0].module_offset, reinterpret_cast<uint64_t>(site.address) - exe.load_bias);
}

TEST(Symbolizer, StripDebugFallsBackToSymtabNames) {
  TempDir dir;
  std::string path = (dir / "libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::strip_debug(), path);
  Results r = symbolize_fixture_at(path, isolated());

  ASSERT_EQ(r.plain.size(), 1u);
  EXPECT_EQ(r.plain[0].function, "hdfixture::Widget::plain_call");
  EXPECT_EQ(r.plain[0].signature, "hdfixture::Widget::plain_call(int)");
  EXPECT_EQ(r.plain[0].file, "");
  EXPECT_EQ(r.plain[0].line, 0u);
  EXPECT_EQ(r.plain[0].source, FrameSource::kSymtab);
  EXPECT_EQ(r.plain[0].module, path);
  // Without DWARF, inlined code is only known by the function it was inlined into.
  ASSERT_EQ(r.inlined.size(), 1u);
  EXPECT_EQ(r.inlined[0].function, "hdfixture::outer_noinline");
  EXPECT_EQ(r.inlined[0].source, FrameSource::kSymtab);
  // .symtab has the local symbols too.
  ASSERT_EQ(r.hidden.size(), 1u);
  EXPECT_EQ(r.hidden[0].function, "hdfixture::(anonymous namespace)::hidden_call");
  EXPECT_EQ(r.hidden[0].source, FrameSource::kSymtab);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_FALSE(r.status.dwarf);
  EXPECT_TRUE(r.status.symbols);
}

TEST(Symbolizer, StripAllLeavesDynsymNamesOrModuleOffset) {
  const auto& f = LoadedFixture::get();
  TempDir dir;
  std::string path = (dir / "libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::strip_all(), path);
  Results r = symbolize_fixture_at(path, isolated());

  // Exported: in .dynsym.
  ASSERT_EQ(r.plain.size(), 1u);
  EXPECT_EQ(r.plain[0].function, "hdfixture::Widget::plain_call");
  EXPECT_EQ(r.plain[0].source, FrameSource::kSymtab);
  // Not exported: nothing names it, and no neighbour's name is borrowed.
  ASSERT_EQ(r.hidden.size(), 1u);
  EXPECT_EQ(r.hidden[0].function, "");
  EXPECT_EQ(r.hidden[0].source, FrameSource::kNone);
  EXPECT_EQ(r.hidden[0].module, path);
  EXPECT_EQ(r.hidden[0].module_offset, f.offset(f.hidden.address));
  char expected[64];
  std::snprintf(expected, sizeof(expected), "libhdsym_fixture.so+0x%llx",
                static_cast<unsigned long long>(f.offset(f.hidden.address)));
  EXPECT_EQ(display_name(r.hidden[0]), expected);
  EXPECT_TRUE(r.warnings.empty());
}

// A stripped library with a .gnu_debuglink at lib/libhdsym_fixture.so in a temporary
// directory, its debug file at `debug_relative` in the same directory.
void expect_debuglink_found(const std::string& debug_relative) {
  TempDir dir;
  std::string path = (dir / "lib/libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::debuglinked(), path);
  std::string debug_path = (dir / debug_relative).string();
  test::copy_file(FixtureFiles::debug_file(), debug_path);
  Results r = symbolize_fixture_at(path, isolated());
  expect_plain_call(r.plain, path);
  expect_inline_chain(r.inlined);
  // No DW_AT_linkage_name for internal linkage: qualified from the DWARF scopes.
  ASSERT_EQ(r.hidden.size(), 1u);
  EXPECT_EQ(r.hidden[0].function, "hdfixture::(anonymous namespace)::hidden_call");
  EXPECT_EQ(r.hidden[0].signature, "hdfixture::(anonymous namespace)::hidden_call(int)");
  EXPECT_EQ(r.hidden[0].line, static_cast<uint32_t>(LoadedFixture::get().hidden.line));
  EXPECT_EQ(r.status.elf_file, path);
  EXPECT_EQ(r.status.debug_file, debug_path);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Symbolizer, GnuDebuglinkBesideTheLibrary) {
  expect_debuglink_found("lib/" + FixtureFiles::debuglink_name());
}

TEST(Symbolizer, GnuDebuglinkInDotDebug) {
  expect_debuglink_found("lib/.debug/" + FixtureFiles::debuglink_name());
}

TEST(Symbolizer, GnuDebuglinkUnderADebugDir) {
  // <root>/<the library's directory>/<debuglink>, as /usr/lib/debug/usr/lib/...
  TempDir dir;
  std::string path = (dir / "lib/libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::debuglinked(), path);
  std::string debug_path =
      (dir / "debug" / (dir / "lib").relative_path() / FixtureFiles::debuglink_name()).string();
  test::copy_file(FixtureFiles::debug_file(), debug_path);
  Options options = isolated();
  options.debug_dirs.push_back((dir / "debug").string());
  Results r = symbolize_fixture_at(path, options);
  expect_plain_call(r.plain, path);
  expect_inline_chain(r.inlined);
  EXPECT_EQ(r.status.debug_file, debug_path);
}

TEST(Symbolizer, BuildIdDirectoryUnderADebugDir) {
  TempDir dir;
  std::string path = (dir / "lib/libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::strip_all(), path);  // no debuglink: only the build-id leads
  std::string debug_path = build_id_debug_path(dir);
  test::copy_file(FixtureFiles::debug_file(), debug_path);

  // Not found without the option...
  Results without = symbolize_fixture_at(path, isolated());
  EXPECT_EQ(without.plain[0].source, FrameSource::kSymtab);

  Options options = isolated();
  options.debug_dirs.push_back((dir / "debug").string());
  Results r = symbolize_fixture_at(path, options);
  expect_plain_call(r.plain, path);
  expect_inline_chain(r.inlined);
  EXPECT_EQ(r.status.debug_file, debug_path);
}

// Compressed debug sections (objcopy --compress-debug-sections, as openjdk's -dbg
// packages ship libjvm's) are inflated ahead of libdw; what the lookups give is the
// uncompressed file's.
void expect_full_dwarf(const Results& r, const std::string& path) {
  expect_plain_call(r.plain, path);
  expect_inline_chain(r.inlined);
  ASSERT_EQ(r.hidden.size(), 1u);
  EXPECT_EQ(r.hidden[0].signature, "hdfixture::(anonymous namespace)::hidden_call(int)");
  EXPECT_TRUE(r.status.dwarf);
  EXPECT_TRUE(r.status.inflated);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
}

// zlib, and zstd (which libdw 0.188 cannot read: without InflatedDwarf, the module
// gets no names at all).
TEST(Symbolizer, CompressedDebugSectionsInTheObject) {
  for (const std::string& variant : {FixtureFiles::compressed(), FixtureFiles::compressed_zstd()}) {
    SCOPED_TRACE(variant);
    TempDir dir;
    std::string path = (dir / "lib/libhdsym_fixture.so").string();
    test::copy_file(variant, path);
    Results r = symbolize_fixture_at(path, isolated());
    expect_full_dwarf(r, path);
    EXPECT_EQ(r.status.debug_file, "");
  }
}

// A compressed debug file under a build-id directory, for an object stripped of
// everything (libdwfl's symbol-table search finds it) and for one stripped of its
// debug sections only (its own .symtab: only the DWARF search looks for it).
TEST(Symbolizer, CompressedSeparateDebugFile) {
  for (const std::string& object : {FixtureFiles::strip_all(), FixtureFiles::strip_debug()}) {
    SCOPED_TRACE(object);
    TempDir dir;
    std::string path = (dir / "lib/libhdsym_fixture.so").string();
    test::copy_file(object, path);
    std::string debug_path = build_id_debug_path(dir);
    test::copy_file(FixtureFiles::compressed_debug(), debug_path);
    Options options = isolated();
    options.debug_dirs.push_back((dir / "debug").string());
    Results r = symbolize_fixture_at(path, options);
    expect_full_dwarf(r, path);
    EXPECT_EQ(r.status.debug_file, debug_path);
  }
}

// A damaged compressed .debug_info: InflatedDwarf refuses it, libdw cannot read it
// either, and the symbol table still names the functions.
TEST(Symbolizer, DamagedCompressedDebugInfoFallsBackToSymtab) {
  TempDir dir;
  std::string path = (dir / "lib/libhdsym_fixture.so").string();
  test::copy_damaged_compressed(FixtureFiles::compressed(), path, 400, std::string(16, '\xa5'));
  Results r = symbolize_fixture_at(path, isolated());
  ASSERT_EQ(r.plain.size(), 1u);
  EXPECT_EQ(r.plain[0].function, "hdfixture::Widget::plain_call");
  EXPECT_EQ(r.plain[0].source, FrameSource::kSymtab);
  EXPECT_FALSE(r.status.inflated);
}

TEST(Symbolizer, BuildIdMismatchIsNeverSymbolizedThrough) {
  const auto& f = LoadedFixture::get();
  // The premise: the rebuilt library differs, and would name these offsets.
  ASSERT_NE(build_id_of(FixtureFiles::rebuilt()), f.desc().build_id);
  TempDir dir;
  std::string path = (dir / "libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::rebuilt(), path);
  {
    std::vector<ModuleDesc> unverifiable = f.modules_with_fixture_at(path);
    unverifiable[static_cast<size_t>(f.index)].build_id.clear();
    Symbolizer trusting(isolated());
    ProcessImage image = trusting.load(unverifiable);
    const auto& frames = trusting.symbolize(image, reinterpret_cast<uint64_t>(f.plain.address), true);
    ASSERT_FALSE(frames[0].function.empty()) << "the rebuilt file names nothing here: a weak test";
    EXPECT_NE(frames[0].function, "hdfixture::Widget::plain_call");
  }

  Results r = symbolize_fixture_at(path, isolated());
  for (const auto* frames : {&r.plain, &r.inlined, &r.hidden}) {
    ASSERT_EQ(frames->size(), 1u);
    EXPECT_EQ((*frames)[0].function, "");
    EXPECT_EQ((*frames)[0].source, FrameSource::kNone);
    EXPECT_EQ((*frames)[0].module, path);
  }
  EXPECT_EQ(r.plain[0].module_offset, f.offset(f.plain.address));
  ASSERT_EQ(r.warnings.size(), 1u);  // once per module, not per address
  EXPECT_NE(r.warnings[0].find(path), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("build-id mismatch"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find(build_id_hex(f.desc().build_id)), std::string::npos) << r.warnings[0];
  EXPECT_EQ(r.status.warning, r.warnings[0]);
  EXPECT_EQ(r.status.elf_file, "");
}

TEST(Symbolizer, BuildIdMismatchResolvedThroughTheRecordedBuildsDebugFile) {
  TempDir dir;
  std::string path = (dir / "libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::rebuilt(), path);
  std::string debug_path = build_id_debug_path(dir);
  test::copy_file(FixtureFiles::debug_file(), debug_path);
  Options options = isolated();
  options.debug_dirs.push_back((dir / "debug").string());

  Results r = symbolize_fixture_at(path, options);
  expect_plain_call(r.plain, path);
  expect_inline_chain(r.inlined);
  EXPECT_EQ(r.status.elf_file, debug_path);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("build-id mismatch"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find(debug_path), std::string::npos) << r.warnings[0];
}

TEST(Symbolizer, SysrootForAnotherMachinesFiles) {
  TempDir root;
  // A path that exists only under the sysroot.
  const std::string recorded = "/opt/hdsym-app/lib/libhdsym_fixture.so";
  ASSERT_FALSE(std::filesystem::exists(recorded));
  test::copy_file(FixtureFiles::library(), root.path().string() + recorded);
  Options options = isolated();
  options.sysroot = root.path().string();
  Results r = symbolize_fixture_at(recorded, options);
  expect_plain_call(r.plain, recorded);  // frames name the module as recorded
  expect_inline_chain(r.inlined);
  EXPECT_EQ(r.status.elf_file, root.path().string() + recorded);
  EXPECT_TRUE(r.warnings.empty());

  // Without the sysroot the module is missing, and said to be.
  Results missing = symbolize_fixture_at(recorded, isolated());
  EXPECT_EQ(missing.plain[0].source, FrameSource::kNone);
  ASSERT_EQ(missing.warnings.size(), 1u);
  EXPECT_NE(missing.warnings[0].find(recorded), std::string::npos) << missing.warnings[0];
}

TEST(Symbolizer, SysrootDebugDirHoldsDebuglinkFiles) {
  TempDir root;
  const std::string recorded = "/opt/hdsym-app/lib/libhdsym_fixture.so";
  test::copy_file(FixtureFiles::debuglinked(), root.path().string() + recorded);
  std::string debug_path =
      root.path().string() + "/usr/lib/debug/opt/hdsym-app/lib/" + FixtureFiles::debuglink_name();
  test::copy_file(FixtureFiles::debug_file(), debug_path);
  Options options = isolated();
  options.sysroot = root.path().string();
  Results r = symbolize_fixture_at(recorded, options);
  expect_plain_call(r.plain, recorded);
  EXPECT_EQ(r.status.debug_file, debug_path);
}

TEST(Symbolizer, AddressOutsideEveryModule) {
  const auto& f = LoadedFixture::get();
  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(f.modules);
  const auto& frames = symbolizer.symbolize(image, 0x10, true);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].module, "");
  EXPECT_EQ(frames[0].module_offset, 0x10u);
  EXPECT_EQ(frames[0].source, FrameSource::kNone);
  EXPECT_EQ(display_name(frames[0]), "0x10");
}

TEST(Symbolizer, ModulesOpenOnFirstUse) {
  const auto& f = LoadedFixture::get();
  Symbolizer symbolizer(isolated());
  ProcessImage image = symbolizer.load(f.modules);
  auto address = reinterpret_cast<uint64_t>(f.inlined.address);
  std::vector<SymbolFrame> first = symbolizer.symbolize(image, address, true);
  ASSERT_GT(first.size(), 1u);
  // The second lookup walks the scopes read by the first: the same answer.
  EXPECT_EQ(symbolizer.symbolize(image, address, true), first);
  // A module not hit stays closed.
  int libc = -1;
  for (size_t i = 0; i < f.modules.size(); ++i) {
    if (f.modules[i].path.find("libc.so") != std::string::npos) libc = static_cast<int>(i);
  }
  ASSERT_GE(libc, 0);
  EXPECT_FALSE(symbolizer.module_status(image)[static_cast<size_t>(libc)].opened);
}

TEST(Symbolizer, SystemLibcThroughUsrLibDebug) {
  // libc's code at a known function entry; its DWARF when a debug package is installed.
  void* qsort_address = dlsym(RTLD_DEFAULT, "qsort");
  ASSERT_NE(qsort_address, nullptr);
  std::vector<ModuleDesc> modules = test::current_modules();
  int libc = test::module_containing(modules, qsort_address);
  ASSERT_GE(libc, 0);
  Options options;
  options.debuginfod = false;
  Symbolizer symbolizer(options);
  ProcessImage image = symbolizer.load(modules);
  const auto& frames = symbolizer.symbolize(image, reinterpret_cast<uint64_t>(qsort_address), false);
  ModuleStatus status = symbolizer.module_status(image)[static_cast<size_t>(libc)];
  EXPECT_TRUE(symbolizer.warnings().empty());
  ASSERT_FALSE(frames.empty());
  EXPECT_NE(frames.back().function, "");
  if (!status.dwarf) GTEST_SKIP() << "no debug info for " << status.path << " (install libc6-dbg)";
  EXPECT_NE(status.debug_file.find("/.build-id/"), std::string::npos) << status.debug_file;
  EXPECT_EQ(frames.back().source, FrameSource::kDwarf);
  EXPECT_NE(frames.back().file, "");
  EXPECT_GT(frames.back().line, 0u);
}

TEST(Symbolizer, MissingModuleFileWarnsOnce) {
  const auto& f = LoadedFixture::get();
  Results r = symbolize_fixture_at("/nonexistent/hdsym/libhdsym_fixture.so", isolated());
  EXPECT_EQ(r.plain[0].source, FrameSource::kNone);
  EXPECT_EQ(r.plain[0].module_offset, f.offset(f.plain.address));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("No such file"), std::string::npos) << r.warnings[0];
}

}  // namespace
}  // namespace heapdrift::symbolizer
