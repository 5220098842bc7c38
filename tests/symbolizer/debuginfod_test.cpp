// debuginfod through libdw: a local HTTP server plays the debuginfod server
// ($DEBUGINFOD_URLS), with a fresh client cache ($DEBUGINFOD_CACHE_PATH). Its own
// executable: libdw reads the environment once per process.
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <gtest/gtest.h>

#include "elf_file.h"
#include "http_file_server.h"
#include "symbolizer.h"
#include "test_support.h"

namespace heapdrift::symbolizer {
namespace {

using test::FixtureFiles;
using test::HttpFileServer;
using test::LoadedFixture;
using test::TempDir;

class Debuginfod : public ::testing::Test {
 protected:
  void SetUp() override {
    // libdw finds debuginfod servers only through this library (package libdebuginfod1).
    if (dlopen("libdebuginfod.so.1", RTLD_LAZY | RTLD_NOLOAD) == nullptr &&
        dlopen("libdebuginfod.so.1", RTLD_LAZY) == nullptr) {
      GTEST_SKIP() << "libdebuginfod.so.1 is not installed (libdebuginfod1)";
    }
    const auto& f = LoadedFixture::get();
    hex_ = build_id_hex(f.desc().build_id);
    server_ = std::make_unique<HttpFileServer>(std::map<std::string, std::string>{
        {"/buildid/" + hex_ + "/debuginfo", FixtureFiles::debug_file()},
        {"/buildid/" + hex_ + "/executable", FixtureFiles::library()},
    });
    setenv("DEBUGINFOD_URLS", server_->url().c_str(), 1);
    setenv("DEBUGINFOD_CACHE_PATH", (cache_ / "cache").c_str(), 1);
    setenv("DEBUGINFOD_TIMEOUT", "10", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    setenv("no_proxy", "127.0.0.1", 1);
  }

  void TearDown() override { unsetenv("DEBUGINFOD_URLS"); }

  // Symbolizes the plain call site with the fixture recorded at `path`.
  std::vector<SymbolFrame> plain_at(const std::string& path, Options options, ModuleStatus* status) {
    const auto& f = LoadedFixture::get();
    options.system_debug_dir = false;
    Symbolizer symbolizer(options);
    ProcessImage image = symbolizer.load(f.modules_with_fixture_at(path));
    std::vector<SymbolFrame> frames =
        symbolizer.symbolize(image, reinterpret_cast<uint64_t>(f.plain.address), true);
    *status = symbolizer.module_status(image)[static_cast<size_t>(f.index)];
    return frames;
  }

  std::string hex_;
  TempDir cache_;
  TempDir files_;
  std::unique_ptr<HttpFileServer> server_;
};

TEST_F(Debuginfod, FetchesDebugInfoForAStrippedLibrary) {
  std::string path = (files_ / "libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::strip_all(), path);
  ModuleStatus status;
  std::vector<SymbolFrame> frames = plain_at(path, Options{}, &status);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].function, "hdfixture::Widget::plain_call");
  EXPECT_EQ(frames[0].line, static_cast<uint32_t>(LoadedFixture::get().plain.line));
  EXPECT_EQ(frames[0].source, FrameSource::kDwarf);
  EXPECT_EQ(status.debug_file.rfind((cache_ / "cache").string(), 0), 0u) << status.debug_file;
  std::vector<std::string> paths = server_->paths();
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/buildid/" + hex_ + "/debuginfo"), paths.end());
}

TEST_F(Debuginfod, FetchesTheExecutableOfAMissingModule) {
  ModuleStatus status;
  std::vector<SymbolFrame> frames = plain_at("/nonexistent/hdsym/libhdsym_fixture.so", Options{}, &status);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].function, "hdfixture::Widget::plain_call");
  EXPECT_EQ(frames[0].line, static_cast<uint32_t>(LoadedFixture::get().plain.line));
  EXPECT_EQ(status.elf_file.rfind((cache_ / "cache").string(), 0), 0u) << status.elf_file;
  std::vector<std::string> paths = server_->paths();
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/buildid/" + hex_ + "/executable"), paths.end());
}

TEST_F(Debuginfod, NothingIsAskedWhenTurnedOff) {
  std::string path = (files_ / "libhdsym_fixture.so").string();
  test::copy_file(FixtureFiles::strip_all(), path);
  Options options;
  options.debuginfod = false;
  ModuleStatus status;
  std::vector<SymbolFrame> frames = plain_at(path, options, &status);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].source, FrameSource::kSymtab);
  EXPECT_TRUE(server_->paths().empty());
}

}  // namespace
}  // namespace heapdrift::symbolizer
