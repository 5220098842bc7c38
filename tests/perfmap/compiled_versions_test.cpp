// compiled_versions over logs written by the agent's own writer: what counts as a
// version alive at a time, and what does not.
#include "compiled_versions.h"

#include <gtest/gtest.h>

#include "log_builder.h"

namespace {

using heapdrift::perfmap::compiled_versions;
using heapdrift::perfmap::CompiledVersions;
using perfmaptest::LogBuilder;

const CompiledVersions* find(const std::vector<CompiledVersions>& all, const std::string& function,
                             const std::string& signature) {
  for (const CompiledVersions& v : all) {
    if (v.function == function && v.signature == signature) return &v;
  }
  return nullptr;
}

TEST(CompiledVersions, CountsLoadsNotYetUnloadedAtEachTime) {
  LogBuilder b(1);
  b.method(1, "a.Rereg", "work", "(J)J").method(2, "a.Rereg", "work", "(I)I").method(3, "a.Other", "run", "()V");
  b.load(10, 0x1000, 100, 1).load(11, 0x2000, 100, 1).load(12, 0x3000, 50, 2);
  b.load(20, 0x4000, 100, 1).unload(25, 0x1000);
  b.load(30, 0x5000, 100, 1).load(31, 0x5000, 100, 1);  // the same code reported again: one version
  b.load(32, 0x2000, 70, 3);  // 0x2000 reused by another method: work's code there is gone
  b.load(33, 0x9000, 10, 0);  // a method the JVM could not name: not counted
  const uint64_t times[] = {15, 26, 40};
  std::vector<CompiledVersions> v = compiled_versions(b.log(), times);

  const CompiledVersions* work = find(v, "a.Rereg.work", "(J)J");
  ASSERT_NE(work, nullptr);
  EXPECT_EQ(work->versions, (std::vector<uint32_t>{2, 2, 2}));  // {1000,2000} {2000,4000} {4000,5000}
  EXPECT_EQ(work->bytes, (std::vector<uint64_t>{200, 200, 200}));
  const CompiledVersions* other_signature = find(v, "a.Rereg.work", "(I)I");
  ASSERT_NE(other_signature, nullptr);
  EXPECT_EQ(other_signature->versions, (std::vector<uint32_t>{1, 1, 1}));
  const CompiledVersions* other = find(v, "a.Other.run", "()V");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->versions, (std::vector<uint32_t>{0, 0, 1}));
  EXPECT_EQ(other->bytes, (std::vector<uint64_t>{0, 0, 70}));
  EXPECT_EQ(v.size(), 3u);
}

// A method named again under a new id (its class unloaded and loaded again) is one
// method; the code of an earlier session (the image before an exec) is none of it.
TEST(CompiledVersions, OneMethodByNameInTheLastSessionOnly) {
  LogBuilder b(1);
  b.method(1, "a.B", "m", "()V").load(5, 0x1000, 10, 1).load(6, 0x1100, 10, 1);
  b.session(100).method(1, "a.B", "m", "()V").load(110, 0x2000, 10, 1);
  b.method(2, "a.B", "m", "()V").load(120, 0x3000, 10, 2);
  const uint64_t times[] = {50, 115, 130};
  std::vector<CompiledVersions> v = compiled_versions(b.log(), times);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].versions, (std::vector<uint32_t>{0, 1, 2}));
}

}  // namespace
